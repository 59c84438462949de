from django.urls import path

from . import views

app_name = "cv"
urlpatterns = [
    path("", views.index, name="index"),
    path("print/", views.printable, name="print"),
    path("export/resume.json", views.json_resume, name="json"),
    path("export/pdf/", views.request_pdf, name="request_pdf"),
    path("documents/<str:code>/", views.document_status, name="document"),
    path("documents/<str:code>/download/", views.document_download, name="document_download"),
    path(
        "certificates/<int:entry_id>/attachment/",
        views.certificate_attachment,
        name="certificate_attachment",
    ),
    path("<slug:section_code>/add/", views.add_entry, name="add"),
    path("<slug:section_code>/<int:entry_id>/edit/", views.edit_entry, name="edit"),
    path("<slug:section_code>/<int:entry_id>/remove/", views.remove_entry, name="remove"),
    path("<slug:section_code>/<int:entry_id>/move/", views.move_entry, name="move"),
]
