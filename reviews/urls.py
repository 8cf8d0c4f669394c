from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("declarations/<int:pk>/commission/", views.commission_request, name="commission_request"),
    path("commissions/<int:pk>/", views.commission_answer, name="commission_answer"),
    path("declarations/<int:pk>/evaluation/", views.evaluation_submit, name="evaluation_submit"),
]
