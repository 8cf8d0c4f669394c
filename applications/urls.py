from django.urls import path

from .views import attachments, batches, declarations, exclusions, selfevaluation, team

app_name = "applications"
urlpatterns = [
    path("", declarations.declaration_list, name="list"),
    path("new/", declarations.declaration_create, name="create"),
    path("<int:pk>/", declarations.declaration_detail, name="detail"),
    path("<int:pk>/edit/", declarations.declaration_edit, name="edit"),
    path("<int:pk>/eligibility/", declarations.declaration_eligibility, name="eligibility"),
    path("<int:pk>/self-evaluation/", selfevaluation.self_evaluation, name="self_evaluation"),
    path(
        "<int:pk>/self-evaluation/preview/",
        selfevaluation.self_evaluation_preview,
        name="self_evaluation_preview",
    ),
    path("<int:pk>/attachments/", attachments.attachments, name="attachments"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        attachments.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/delete/",
        attachments.attachment_delete,
        name="attachment_delete",
    ),
    path("<int:pk>/transition/<slug:name>/", declarations.declaration_transition, name="transition"),
    path("<int:pk>/declaration.pdf", declarations.declaration_pdf, name="pdf"),
    path("batches/", batches.batch_list, name="batches"),
    path("batches/new/", batches.batch_create, name="batch_create"),
    path("batches/<int:pk>/", batches.batch_detail, name="batch_detail"),
    path("exclusions/", exclusions.exclusion_list, name="exclusions"),
    path("exclusions/<int:pk>/evidence/", exclusions.exclusion_evidence, name="exclusion_evidence"),
    path("team/", team.team, name="team"),
    path("team/invitations/<int:pk>/revoke/", team.revoke, name="revoke_invitation"),
    path("join/<str:token>/", team.join, name="join"),
]
