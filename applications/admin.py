from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import (
    Attachment,
    Batch,
    BatchCategory,
    Declaration,
    Exclusion,
    Indicator,
    IndicatorTemplate,
    Membership,
    Organisation,
    Policy,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "credit_code", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "credit_code"]
    inlines = [MembershipInline]


class BatchCategoryInline(admin.TabularInline):
    model = BatchCategory
    extra = 0


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """Policy numbers change here, without code: a new policy is a new version with its own date in force."""

    list_display = [
        "title",
        "in_force_from",
        "evaluator_yearly_cap",
        "evaluator_ban_years",
        "rereview_cycle_years",
        "removal_bar_years",
        "publicity_length",
    ]


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "title",
        "policy",
        "submission_deadline",
        "recommendation_deadline",
        "evaluator_yearly_cap",
    ]
    inlines = [BatchCategoryInline]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["order", "code", "name", "parent", "kind", "points", "weight", "unit", "benchmark", "direction"]


@admin.register(IndicatorTemplate)
class IndicatorTemplateAdmin(admin.ModelAdmin):
    """Admins edit the indicator systems here, without code; a new version is a new template."""

    list_display = ["code", "name", "category", "scoring", "pass_mark", "years_of_data"]
    list_filter = ["category"]
    inlines = [IndicatorInline]
    save_as = True


@admin.register(Exclusion)
class ExclusionAdmin(admin.ModelAdmin):
    list_display = ["organisation", "reason", "source", "starts_on", "ends_on"]
    autocomplete_fields = ["organisation"]


@admin.register(Declaration)
class DeclarationAdmin(GuardedModelAdmin):
    """Read-only here: the state changes only through the workflow's transitions."""

    list_display = ["organisation", "category", "region", "batch", "state", "self_score"]
    list_filter = ["state", "category", "region", "batch"]
    search_fields = ["organisation__name"]
    readonly_fields = ["state", "self_score", "self_passed"]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "declaration", "slot", "size", "uploaded_at"]
    readonly_fields = ["file", "sha256", "size", "content_type"]
