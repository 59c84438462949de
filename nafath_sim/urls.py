from django.urls import path

from . import views

app_name = "nafath_sim"
urlpatterns = [
    path("", views.home, name="home"),
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path("jwks/", views.jwks, name="jwks"),
    path("authorize/", views.authorize, name="authorize"),
    path("requests/<str:reference>/", views.wait, name="wait"),
    path("requests/<str:reference>/cancel/", views.cancel, name="cancel"),
    path("app/", views.app, name="app"),
    path("app/requests/<str:reference>/", views.answer, name="answer"),
    path("token/", views.token, name="token"),
    path("userinfo/", views.userinfo, name="userinfo"),
    path("logout/", views.end_session, name="end_session"),
]
