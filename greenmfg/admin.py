from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import accounts, outbox
from .models import AuditEntry, OutgoingEmail, Region, User
from .permissions import manages_accounts
from .roles import EVALUATOR_STAFF_GROUP, Role


def role_label(group: Group) -> str:
    """A role, or an evaluator's staff, in the reader's language: the group's name is the Chinese one."""
    if group.name in Role.values:
        return str(Role(group.name).label)
    if group.name.startswith(EVALUATOR_STAFF_GROUP):
        return _("第三方评价机构人员（%(code)s）") % {"code": group.name.removeprefix(EVALUATOR_STAFF_GROUP)}
    return group.name


class RoleFilter(admin.SimpleListFilter):
    title = gettext_lazy("角色")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


class PortalUserChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "groups" in self.fields:
            self.fields["groups"].label_from_instance = role_label

    def clean_groups(self):
        groups = self.cleaned_data["groups"]
        accounts.check_separation({group.name for group in groups})
        return groups


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(GroupAdmin):
    """The roles (superuser only), named in the reader's language."""

    list_display = ["role"]

    @admin.display(description=gettext_lazy("角色"), ordering="name")
    def role(self, group):
        return role_label(group)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Accounts belong to the 安全管理员 (三员分立): the system administrator does not see them. Only a superuser
    makes superusers or grants single permissions; an account created here changes its password at first login."""

    form = PortalUserChangeForm
    list_display = ["username", "full_name", "city", "is_active"]
    list_filter = [RoleFilter, "city", "is_active"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (
            gettext_lazy("绿色制造平台"),
            {"fields": ["full_name", "phone", "city", "language", "must_change_password"]},
        ),
    ]

    def has_module_permission(self, request):
        return bool(manages_accounts(request.user))

    def has_view_permission(self, request, obj=None):
        return bool(manages_accounts(request.user))

    def has_add_permission(self, request):
        return bool(manages_accounts(request.user))

    def has_change_permission(self, request, obj=None):
        """A 安全管理员 does not change a superuser's account (its password included)."""
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return bool(manages_accounts(request.user))

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["is_superuser", "user_permissions"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        accounts.record_roles_changed(form.instance, before, actor=request.user)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only (the database refuses changes too)."""

    list_display = ["seq", "at", "actor", "content_type", "object_id", "action", "from_state", "to_state"]
    list_filter = ["content_type", "action"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("重新发送所选邮件"), permissions=["view"])
    def resend(self, request, queryset):
        count = outbox.resend(queryset)
        self.message_user(request, _("已安排重新发送 %(n)d 封邮件。") % {"n": count}, messages.SUCCESS)
