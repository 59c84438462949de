from django.urls import path

from . import views

app_name = "grievances"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.submit, name="submit"),
    path("new/<uuid:reference>/review/", views.draft_review, name="draft_review"),
    path("new/<uuid:reference>/discard/", views.draft_discard, name="draft_discard"),
    path("new/<uuid:reference>/files/<int:attachment_id>/", views.draft_file, name="draft_file"),
    path(
        "new/<uuid:reference>/files/<int:attachment_id>/remove/",
        views.draft_file_remove,
        name="draft_file_remove",
    ),
    path("new/<uuid:reference>/<slug:step>/", views.draft_step, name="draft_step"),
    path("mine/", views.mine, name="mine"),
    path("follow/", views.follow, name="follow"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/submitted/", views.submitted, name="submitted"),
    path("<str:number>/reply/", views.reply, name="reply"),
    path("<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:number>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
