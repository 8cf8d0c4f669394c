from django.contrib import admin

from .models import Commission, Evaluation, Evaluator


@admin.register(Evaluator)
class EvaluatorAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region", "is_approved"]
    list_filter = ["is_approved", "region"]


@admin.register(Commission)
class CommissionAdmin(admin.ModelAdmin):
    list_display = ["declaration", "evaluator", "status", "requested_at"]
    list_filter = ["status"]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["commission", "score", "submitted_at"]
