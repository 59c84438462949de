from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from core import views as core_views
from core.hr_admin import hr_site

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("help/", TemplateView.as_view(template_name="masar/pages/help.html"), name="help"),
    path(
        "privacy/", TemplateView.as_view(template_name="masar/pages/privacy.html"), name="privacy"
    ),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="masar/pages/accessibility.html"),
        name="accessibility",
    ),
    path("terms/", TemplateView.as_view(template_name="masar/pages/terms.html"), name="terms"),
    path("favicon.ico", views.favicon),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("oidc/", include("accounts.urls_oidc")),
    path("verify/", core_views.verify_document, name="verify_form"),
    path("verify/<str:code>/", core_views.verify_document, name="verify"),
    path("verify/<str:code>/file/", core_views.verify_document_file, name="verify_file"),
    path("my-data/", include("employment_records.urls")),
    path("hr/", hr_site.urls),
    path("admin/", admin.site.urls),
    path("grievances/", include("grievances.urls")),
    path("bayan/", include("bayan.urls")),
    path("promotions/", include("promotions.urls")),
    path("job-audit/", include("job_audit.urls")),
    path("cv/", include("cv.urls")),
    path("notifications/", include("core.urls_notifications")),
]

if settings.NAFATH_SIMULATOR:
    urlpatterns += [path("nafath/", include("nafath_sim.urls"))]
if settings.PENSION_SIMULATOR:
    urlpatterns += [path("pension-sim/", include("pension_sim.urls"))]
if settings.BENCH_VIEWS:
    urlpatterns += [path("bench/", include("masar.urls_bench"))]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
# The standalone templates/500.html, or templates/503.html for an outage (core/outages.py).
handler500 = "core.outages.server_error"
