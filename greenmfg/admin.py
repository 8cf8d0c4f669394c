from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AuditEntry, Region, User


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "full_name", "city", "is_active"]
    list_filter = ["groups", "city", "is_active"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = [*UserAdmin.fieldsets, ("绿色制造平台", {"fields": ["full_name", "phone", "city"]})]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "content_type", "object_id", "action", "from_state", "to_state"]
    list_filter = ["content_type", "action"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
