"""URLs of the projects app. French paths; names `projects:<verb>`. These paths are a contract (issue 3)."""

from django.urls import path

from projects.views import dashboard, directory, export, fiches, opendata, pages, workspace

app_name = "projects"

urlpatterns = [
    path("espace/", workspace.workspace, name="workspace"),
    path("projets/", directory.directory, name="directory"),
    path("projets/export.csv", export.export, name="export"),
    path("projets/nouveau/", pages.create, name="create"),
    path("projets/<slug:slug>/", pages.detail, name="detail"),
    path("projets/<slug:slug>/modifier/", pages.edit, name="edit"),
    path("projets/<slug:slug>/deplacer/", pages.move, name="move"),
    path("projets/<slug:slug>/porteur/", pages.assign_holder, name="assign_holder"),
    path("projets/<slug:slug>/indicateurs/", pages.add_indicator, name="add_indicator"),
    path("projets/<slug:slug>/documents/", pages.add_document, name="add_document"),
    path("projets/<slug:slug>/documents/<int:pk>/", pages.document, name="document"),
    path("projets/<slug:slug>/fiche.pdf", fiches.fiche, name="fiche"),
    path("projets/<slug:slug>/fiche/etat/", fiches.fiche_status, name="fiche_status"),
    path("projets/<slug:slug>/publier/", pages.publish, name="publish"),
    path("projets/<slug:slug>/depublier/", pages.unpublish, name="unpublish"),
    path("pilotage/", dashboard.dashboard, name="dashboard"),
    path("donnees/", opendata.opendata, name="opendata"),
    path("donnees/projets.csv", opendata.opendata_csv, name="opendata_csv"),
    path("donnees/projets.json", opendata.opendata_json, name="opendata_json"),
]
