from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import Batch, Declaration, Exclusion, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "credit_code", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "credit_code"]
    filter_horizontal = ["members"]


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "submission_deadline", "recommendation_deadline", "requires_third_party"]


@admin.register(Exclusion)
class ExclusionAdmin(admin.ModelAdmin):
    list_display = ["organisation", "reason", "starts_on", "ends_on"]
    autocomplete_fields = ["organisation"]


@admin.register(Declaration)
class DeclarationAdmin(GuardedModelAdmin):
    """Read-only here: the state changes only through the workflow's transitions."""

    list_display = ["organisation", "category", "region", "batch", "state"]
    list_filter = ["state", "category", "region", "batch"]
    search_fields = ["organisation__name"]
    readonly_fields = ["state"]
