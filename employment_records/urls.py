from django.urls import path

from . import views

app_name = "employment_records"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("record/", views.record, name="record"),
    path("training/", views.training, name="training"),
    path("corrections/", views.corrections, name="corrections"),
    path("corrections/new/", views.new_correction, name="new_correction"),
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
