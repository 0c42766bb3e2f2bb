"""URLs of the network's public pages. French paths; names `network:<name>`."""

from django.urls import path

from network import views

app_name = "network"

urlpatterns = [
    path("reseau/", views.StructureDirectoryView.as_view(), name="directory"),
    path("reseau/<slug:slug>/", views.structure_detail, name="detail"),
]
