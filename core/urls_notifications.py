from django.urls import path

from . import views_notifications as views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_all_read, name="mark_all_read"),
]
