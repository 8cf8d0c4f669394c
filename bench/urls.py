"""The portal's URLs plus ``/bench/ceiling/``: a view that returns a constant, through the same middleware,
settings and gunicorn. No page can be served faster, so each page is measured as a share of it."""

from django.http import HttpResponse
from django.urls import path

from greenmfg.urls import urlpatterns as portal


def ceiling(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling), *portal]
