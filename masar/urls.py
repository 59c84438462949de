from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views
from .hr_admin import hr_site

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("oidc/", include("accounts.urls_oidc")),
    path("verify/", views.verify_document, name="verify_form"),
    path("verify/<str:code>/", views.verify_document, name="verify"),
    path("my-data/", include("employment_records.urls")),
    path("hr/", hr_site.urls),
    path("admin/", admin.site.urls),
    path("grievances/", include("grievances.urls")),
]

if settings.NAFATH_SIMULATOR:
    urlpatterns += [path("nafath/", include("nafath_sim.urls"))]

handler400 = "masar.views.bad_request"
handler403 = "masar.views.permission_denied"
handler404 = "masar.views.page_not_found"
# The standalone templates/500.html, or templates/503.html for an outage (masar/outages.py).
handler500 = "masar.outages.server_error"
