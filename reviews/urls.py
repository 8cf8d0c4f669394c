from django.urls import path

from .views import city, evaluators, experts

app_name = "reviews"
urlpatterns = [
    path("evaluators/", evaluators.directory, name="directory"),
    path("evaluators/register/", evaluators.register, name="register"),
    path("evaluators/mine/", evaluators.mine, name="mine"),
    path("evaluators/mine/<slug:kind>/<int:row_pk>/delete/", evaluators.remove_row, name="remove_row"),
    path("evaluators/manage/", evaluators.evaluator_admin, name="admin"),
    path("evaluators/<int:pk>/", evaluators.evaluator_detail, name="evaluator"),
    path("evaluators/<int:pk>/evidence/<int:evidence_pk>/", evaluators.evidence_download, name="evidence"),
    path("evaluators/<int:pk>/decide/", evaluators.decide, name="decide"),
    path("evaluators/<int:pk>/ban/", evaluators.record_ban, name="ban"),
    path("evaluators/bans/<int:pk>/evidence/", evaluators.ban_evidence, name="ban_evidence"),
    path(
        "reviews/declarations/<int:pk>/commission/", evaluators.commission_request, name="commission_request"
    ),
    path("reviews/commissions/<int:pk>/", evaluators.commission_answer, name="commission_answer"),
    path("reviews/declarations/<int:pk>/evaluation/", evaluators.evaluation, name="evaluation"),
    path(
        "reviews/declarations/<int:pk>/evaluation/report/",
        evaluators.evaluation_report,
        name="evaluation_report",
    ),
    path("reviews/declarations/<int:pk>/city-review/", city.city_review, name="city_review"),
    path("reviews/city/<int:batch_pk>/", city.city_recommendation, name="city_recommendation"),
    path(
        "reviews/city/<int:batch_pk>/summary.xlsx", city.recommendation_summary, name="recommendation_summary"
    ),
    path(
        "reviews/city/<int:batch_pk>/opinion.pdf", city.recommendation_opinion, name="recommendation_opinion"
    ),
    path("reviews/experts/", experts.pool, name="experts"),
    path("reviews/batches/<int:batch_pk>/assign/", experts.assign, name="assign"),
    path("reviews/batches/<int:batch_pk>/decisions/", experts.decisions, name="decisions"),
    path("reviews/batches/<int:batch_pk>/scores.xlsx", experts.score_sheet, name="score_sheet"),
    path("reviews/declarations/<int:pk>/score/", experts.score, name="score"),
    path("reviews/declarations/<int:pk>/conflict/", experts.declare_conflict, name="declare_conflict"),
]
