from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("evaluators/", views.directory, name="directory"),
    path("evaluators/register/", views.register, name="register"),
    path("evaluators/mine/", views.mine, name="mine"),
    path("evaluators/mine/<slug:kind>/<int:row_pk>/delete/", views.remove_row, name="remove_row"),
    path("evaluators/manage/", views.evaluator_admin, name="admin"),
    path("evaluators/<int:pk>/", views.evaluator_detail, name="evaluator"),
    path("evaluators/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
    path("evaluators/<int:pk>/decide/", views.decide, name="decide"),
    path("evaluators/<int:pk>/ban/", views.record_ban, name="ban"),
    path("evaluators/bans/<int:pk>/evidence/", views.ban_evidence, name="ban_evidence"),
    path("reviews/declarations/<int:pk>/commission/", views.commission_request, name="commission_request"),
    path("reviews/commissions/<int:pk>/", views.commission_answer, name="commission_answer"),
    path("reviews/declarations/<int:pk>/evaluation/", views.evaluation, name="evaluation"),
]
