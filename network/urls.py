"""URLs of the network's public pages. French paths; names `network:<name>`."""

from django.urls import include, path

from network import views

app_name = "network"

urlpatterns = [
    path("reseau/", views.StructureDirectoryView.as_view(), name="directory"),
    # Before the structure's page, whose slug would otherwise take "carte" and "structures.geojson".
    path("reseau/carte/", views.network_map, name="map"),
    path("reseau/structures.geojson", views.structures_geojson, name="geojson"),
    # The appellation path: a structure's dossier, the staff's pages (network/appellation/).
    path("", include("network.appellation.dossier_urls")),
    path("", include("network.appellation.staff_urls")),
    path("reseau/<slug:slug>/", views.structure_detail, name="detail"),
]
