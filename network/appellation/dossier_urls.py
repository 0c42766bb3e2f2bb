"""URLs of a structure's appellation dossier (included by network/urls.py, namespace `network`)."""

from django.urls import path

from network.appellation import dossier_views

PREFIX = "reseau/<slug:slug>/appellation/"

urlpatterns = [
    path(PREFIX, dossier_views.dossier, name="appellation"),
    path(f"{PREFIX}commencer/", dossier_views.start, name="appellation_start"),
    path(f"{PREFIX}dossier/", dossier_views.update, name="appellation_update"),
    path(f"{PREFIX}documents/", dossier_views.add_document, name="appellation_add_document"),
    path(f"{PREFIX}documents/<int:pk>/", dossier_views.document, name="appellation_document"),
    path(
        f"{PREFIX}documents/<int:pk>/supprimer/",
        dossier_views.delete_document,
        name="appellation_delete_document",
    ),
    path(f"{PREFIX}deposer/", dossier_views.submit, name="appellation_submit"),
    path(f"{PREFIX}avis/", dossier_views.give_opinion, name="appellation_opinion"),
    path(f"{PREFIX}lettre.pdf", dossier_views.letter, name="appellation_letter"),
]
