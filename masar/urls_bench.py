"""The floor the throughput benchmarks measure pages against (issue 16), mounted at /bench/
only with BENCH_VIEWS=on: the least a request can cost, anonymous and signed in, through the
same middleware as every page (session, user, second factor, timeouts, security headers)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

app_name = "bench"


@require_GET
def anonymous(request):
    return HttpResponse(b"ok", content_type="text/plain")


@require_GET
@login_required
def signed_in(request):
    # Reads the user (the session and user queries a signed-in page pays), shows nothing of it.
    return HttpResponse(b"ok" if request.user.is_authenticated else b"", content_type="text/plain")


urlpatterns = [
    path("anonymous", anonymous, name="anonymous"),
    path("signed-in", signed_in, name="signed_in"),
]
