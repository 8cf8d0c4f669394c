from django.urls import path

from . import views, views_cultivation, views_import, views_lists, views_rereviews

app_name = "registry"
urlpatterns = [
    path("lists/", views.listed_units, name="lists"),
    path("lists/export.xlsx", views.listed_units_export, name="lists_export"),
    path("lists/<int:pk>/", views.listed_unit, name="unit"),
    path("lists/publish/", views_lists.publish, name="publish"),
    path("lists/national/", views_lists.national, name="national"),
    path("lists/national/export.xlsx", views_lists.national_export, name="national_export"),
    path("lists/national/<int:pk>/result/", views_lists.national_result, name="national_result"),
    path("lists/import/", views_import.import_upload, name="import_upload"),
    path("lists/import/<int:pk>/", views_import.import_report, name="import_report"),
    path("lists/<int:pk>/annual-report/", views_rereviews.annual_report, name="annual_report"),
    path("rereviews/", views_rereviews.case_list, name="rereviews"),
    path("rereviews/results.xlsx", views_rereviews.results_export, name="rereview_results"),
    path("rereviews/annual-reports/", views_rereviews.annual_reports, name="annual_reports"),
    path("rereviews/<int:pk>/", views_rereviews.case_detail, name="rereview"),
    path("overview/", views.overview, name="overview"),
    path("cultivation/", views_cultivation.candidates, name="cultivation"),
    path("cultivation/<int:pk>/", views_cultivation.candidate, name="cultivation_candidate"),
    path("targets/", views.targets, name="targets"),
    path("publicity/", views.publicity_list, name="publicity_list"),
    path("publicity/new/", views.publicity_create, name="publicity_create"),
    path("publicity/<int:pk>/", views.publicity_detail, name="publicity_detail"),
    path("publicity/<int:pk>/close/", views.publicity_close, name="publicity_close"),
    path("publicity/<int:pk>/notice.pdf", views.publicity_pdf, name="publicity_pdf"),
    path("publicity/objections/<int:pk>/handle/", views.objection_handle, name="objection_handle"),
    path("publicity/objections/<int:pk>/evidence/", views.objection_evidence, name="objection_evidence"),
]
