from django.urls import path

from . import views

app_name = "pension_sim"
urlpatterns = [
    path("api/statements/", views.statements, name="statements"),
    path("api/statements/<str:reference>/", views.statement, name="statement"),
    path("api/control/", views.control, name="control"),
]
