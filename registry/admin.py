from django.contrib import admin

from .models import ListedUnit, Publicity, ReReviewReminder, Target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "category", "count"]
    list_filter = ["year", "category"]


@admin.register(Publicity)
class PublicityAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_on", "ends_on", "closed_at"]


@admin.register(ListedUnit)
class ListedUnitAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "category",
        "level",
        "year",
        "listed_on",
        "next_review_on",
        "review_status",
    ]
    list_filter = ["level", "category", "year", "region", "review_status"]
    search_fields = ["organisation__name"]


@admin.register(ReReviewReminder)
class ReReviewReminderAdmin(admin.ModelAdmin):
    list_display = ["listed_unit", "due_on", "created_at"]
