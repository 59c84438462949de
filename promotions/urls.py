from django.urls import path

from . import views

app_name = "promotions"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:round_id>/", views.round_detail, name="round"),
    path("<int:round_id>/preferences/", views.preferences, name="preferences"),
    path("<int:round_id>/receipt/<str:receipt>/", views.receipt, name="receipt"),
    path("<int:round_id>/result/", views.result, name="result"),
    path("<int:round_id>/object/", views.objection, name="object"),
]
