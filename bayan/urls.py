from django.urls import path

from . import views

app_name = "bayan"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:statement_id>/pdf/", views.pdf, name="pdf"),
]
