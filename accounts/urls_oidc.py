from django.urls import path

from . import oidc

app_name = "oidc"
urlpatterns = [
    path("start/", oidc.NafathStartView.as_view(), name="start"),
    path("callback/", oidc.NafathCallbackView.as_view(), name="callback"),
    path("logout/", oidc.NafathSignOutView.as_view(), name="logout"),
]
