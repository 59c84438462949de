from django.urls import path

from . import views

app_name = "grievances"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.submit, name="submit"),
    path("mine/", views.mine, name="mine"),
    path("follow/", views.follow, name="follow"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/submitted/", views.submitted, name="submitted"),
    path("<str:number>/reply/", views.reply, name="reply"),
    path("<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("<str:number>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
