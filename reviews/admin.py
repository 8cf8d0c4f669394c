from django.contrib import admin

from .models import Ban, Commission, Evaluation, Evaluator, Evidence, Interest, Project, StaffMember


class StaffInline(admin.TabularInline):
    model = StaffMember
    extra = 0


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0


class InterestInline(admin.TabularInline):
    model = Interest
    extra = 0


@admin.register(Evaluator)
class EvaluatorAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region", "status", "flagged_reason"]
    list_filter = ["status", "region"]
    search_fields = ["name", "credit_code"]
    inlines = [StaffInline, ProjectInline, InterestInline]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "evaluator", "topic", "uploaded_at"]


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ["evaluator", "starts_on", "ends_on"]


@admin.register(Commission)
class CommissionAdmin(admin.ModelAdmin):
    list_display = ["declaration", "evaluator", "status", "requested_at", "answered_at"]
    list_filter = ["status"]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["commission", "score", "passed", "submitted_at"]
