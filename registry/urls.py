from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("lists/", views.listed_units, name="lists"),
    path("lists/export.xlsx", views.listed_units_export, name="lists_export"),
    path("overview/", views.overview, name="overview"),
    path("publicity/", views.publicity_list, name="publicity_list"),
    path("publicity/new/", views.publicity_create, name="publicity_create"),
    path("publicity/<int:pk>/", views.publicity_detail, name="publicity_detail"),
    path("publicity/<int:pk>/close/", views.publicity_close, name="publicity_close"),
]
