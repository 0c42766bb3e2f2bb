"""URLs of the projects app. French paths; names `projects:<verb>`."""

from django.urls import path  # noqa: F401  (routes are added by each page family below)

app_name = "projects"

urlpatterns: list = []
