from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("new/", views.declaration_create, name="create"),
    path("<int:pk>/", views.declaration_detail, name="detail"),
    path("<int:pk>/attest/", views.declaration_attest, name="attest"),
    path("<int:pk>/transition/<slug:name>/", views.declaration_transition, name="transition"),
]
