from django.urls import path

from .views import claims, cultivation, imports, lists, progress, public, publicity, rereviews

app_name = "registry"
urlpatterns = [
    path("lists/", public.listed_units, name="lists"),
    path("lists/export.xlsx", public.listed_units_export, name="lists_export"),
    path("lists/exports/<int:pk>/", public.listed_units_export_status, name="lists_export_status"),
    path(
        "lists/exports/<int:pk>/download/", public.listed_units_export_download, name="lists_export_download"
    ),
    path("lists/<int:pk>/", public.listed_unit, name="unit"),
    path("lists/publish/", lists.publish, name="publish"),
    path("lists/publications/<int:pk>/list.pdf", lists.publication_pdf, name="publication_pdf"),
    path("lists/national/", lists.national, name="national"),
    path("lists/national/export.xlsx", lists.national_export, name="national_export"),
    path("lists/national/<int:pk>/result/", lists.national_result, name="national_result"),
    path("lists/import/", imports.import_upload, name="import_upload"),
    path("lists/import/<int:pk>/", imports.import_report, name="import_report"),
    path("lists/pending-cities/", imports.pending_cities, name="pending_cities"),
    path("lists/<int:pk>/annual-report/", rereviews.annual_report, name="annual_report"),
    path("rereviews/", rereviews.case_list, name="rereviews"),
    path("rereviews/results.xlsx", rereviews.results_export, name="rereview_results"),
    path("rereviews/annual-reports/", rereviews.annual_reports, name="annual_reports"),
    path("rereviews/annual-reports.xlsx", rereviews.annual_reports_export, name="annual_reports_export"),
    path("rereviews/<int:pk>/", rereviews.case_detail, name="rereview"),
    path("rereviews/experts/mine/", rereviews.expert_queue, name="rereview_experts_mine"),
    path("rereviews/experts/<int:pk>/", rereviews.expert_review, name="rereview_expert_review"),
    path("overview/", progress.overview, name="overview"),
    path("claims/", claims.claim_list, name="claims"),
    path("cultivation/", cultivation.candidates, name="cultivation"),
    path("cultivation/<int:pk>/", cultivation.candidate, name="cultivation_candidate"),
    path("targets/", progress.targets, name="targets"),
    path("publicity/", publicity.publicity_list, name="publicity_list"),
    path("publicity/new/", publicity.publicity_create, name="publicity_create"),
    path("publicity/<int:pk>/", publicity.publicity_detail, name="publicity_detail"),
    path("publicity/<int:pk>/close/", publicity.publicity_close, name="publicity_close"),
    path("publicity/<int:pk>/notice.pdf", publicity.publicity_pdf, name="publicity_pdf"),
    path("publicity/objections/lookup/", publicity.objection_lookup, name="objection_lookup"),
    path("publicity/objections/<int:pk>/handle/", publicity.objection_handle, name="objection_handle"),
    path("publicity/objections/<int:pk>/evidence/", publicity.objection_evidence, name="objection_evidence"),
]
