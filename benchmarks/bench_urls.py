"""The site's URLs plus `/bench/bare/`: a view that does nothing, so the benchmark measures the floor of the
stack (gunicorn, WSGI, the middleware) beside the real pages."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("fabrique.urls")),
]
