from django.urls import path

from . import views

app_name = "employment_records"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("record/", views.record, name="record"),
    path("training/", views.training, name="training"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/new/", views.new_correction, name="new_correction"),
    path(
        "corrections/new/<uuid:reference>/review/",
        views.correction_draft_review,
        name="correction_draft_review",
    ),
    path(
        "corrections/new/<uuid:reference>/discard/",
        views.correction_draft_discard,
        name="correction_draft_discard",
    ),
    path(
        "corrections/new/<uuid:reference>/files/<int:attachment_id>/",
        views.correction_draft_file,
        name="correction_draft_file",
    ),
    path(
        "corrections/new/<uuid:reference>/files/<int:attachment_id>/remove/",
        views.correction_draft_file_remove,
        name="correction_draft_file_remove",
    ),
    path(
        "corrections/new/<uuid:reference>/<slug:step>/",
        views.correction_draft_step,
        name="correction_draft_step",
    ),
    path("corrections/<str:number>/", views.correction_detail, name="correction"),
    path("corrections/<str:number>/respond/", views.respond_correction, name="respond"),
    path("corrections/<str:number>/withdraw/", views.withdraw_correction, name="withdraw"),
    path(
        "corrections/<str:number>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="evidence",
    ),
    path("statement/", views.statements, name="statements"),
    path("statement/<str:code>/", views.statement_status, name="statement"),
    path("statement/<str:code>/download/", views.statement_download, name="statement_download"),
]
