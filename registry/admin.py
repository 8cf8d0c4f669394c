from django.contrib import admin

from .models import AnnualReport, CultivationCandidate, ListedUnit, Plan, Publicity, ReReviewCase, Target


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """A new plan (2026–2030) with its 17 × 4 targets is entered here, without code."""

    list_display = ["name", "document_number", "first_year", "last_year", "lists_from_year"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["region", "plan", "category", "count"]
    list_filter = ["plan", "category"]


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


@admin.register(ReReviewCase)
class ReReviewCaseAdmin(admin.ModelAdmin):
    list_display = ["listed_unit", "due_on", "status", "decided_on"]
    list_filter = ["status"]


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ["listed_unit", "year", "submitted_at"]


@admin.register(CultivationCandidate)
class CultivationCandidateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "region", "category", "planned_year", "status", "responsible", "updated_at"]
    list_filter = ["region", "category", "planned_year", "status"]
    list_select_related = ["region", "organisation", "responsible"]
    search_fields = ["name", "credit_code", "organisation__name", "organisation__credit_code"]
    raw_id_fields = ["organisation", "responsible"]
