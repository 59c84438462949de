from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("login/code/", views.sign_in_code, name="login_code"),
    path("login/code/resend/", views.sign_in_resend, name="login_resend"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("register/", views.register_identity, name="register"),
    path("register/details/", views.register_details, name="register_details"),
    path("register/verify/", views.register_verify, name="register_verify"),
    path("register/verify/resend/", views.register_resend, name="register_resend"),
    path("register/done/", views.register_done, name="register_done"),
    path("recover/", views.recover_identity, name="recover"),
    path("recover/verify/", views.recover_verify, name="recover_verify"),
    path("recover/verify/resend/", views.recover_resend, name="recover_resend"),
    path("recover/password/", views.recover_password, name="recover_password"),
    path("", views.account, name="account"),
    path("password/", views.password_change, name="password_change"),
    path("mobile/", views.mobile_change, name="mobile_change"),
    path("mobile/verify/", views.mobile_verify, name="mobile_verify"),
    path("mobile/verify/resend/", views.mobile_resend, name="mobile_resend"),
]
