from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import (
    Attachment,
    Batch,
    BatchCategory,
    Benchmark,
    BenchmarkTable,
    Declaration,
    EmissionFactor,
    EnergyCarrier,
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
    fields = [
        "order",
        "code",
        "name",
        "parent",
        "kind",
        "points",
        "weight",
        "unit",
        "benchmark",
        "leading_value",
        "direction",
        "formula",
    ]


@admin.register(IndicatorTemplate)
class IndicatorTemplateAdmin(admin.ModelAdmin):
    """Admins edit the indicator systems here, without code; a new version is a new template."""

    list_display = ["code", "name", "category", "scoring", "pass_mark", "years_of_data"]
    list_filter = ["category"]
    inlines = [IndicatorInline]
    save_as = True


class EmissionFactorInline(admin.TabularInline):
    model = EmissionFactor
    extra = 0


@admin.register(EnergyCarrier)
class EnergyCarrierAdmin(admin.ModelAdmin):
    """GB/T 2589-2020 coefficients and the yearly CO₂ factors, each with the document it comes from."""

    list_display = ["name", "code", "unit", "kgce_per_unit", "kgce_min", "kgce_max", "takes_calorific_value"]
    inlines = [EmissionFactorInline]


def in_use(table) -> bool:
    """A table that has scored a declaration is kept as it was (the declaration keeps its version)."""
    return table is not None and table.pk is not None and table.declarations.exists()


class BenchmarkInline(admin.TabularInline):
    model = Benchmark
    extra = 0

    def has_add_permission(self, request, obj=None):
        return not in_use(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not in_use(obj) and super().has_delete_permission(request, obj)


@admin.register(BenchmarkTable)
class BenchmarkTableAdmin(admin.ModelAdmin):
    """基准值/引领值 tables. One that has scored a declaration is frozen: publish a new version instead."""

    list_display = ["name", "template", "industry_prefix", "version", "rule", "floor_percent", "is_example"]
    list_filter = ["template", "is_example"]
    inlines = [BenchmarkInline]
    save_as = True

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in BenchmarkTable._meta.fields] if in_use(obj) else []

    def has_delete_permission(self, request, obj=None):
        return not in_use(obj) and super().has_delete_permission(request, obj)


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
