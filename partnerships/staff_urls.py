"""URLs of the partnerships app's staff pages (namespace `partnerships`, via partnerships/urls.py).

Every path has at least three segments under /partenariats/gestion/ so that no public
`partenariats/<slug>/` pattern can catch it first."""

from django.urls import path

from partnerships import staff_views as views

urlpatterns = [
    path(
        "partenariats/gestion/partenariats/", views.PartnershipListView.as_view(), name="manage_partnerships"
    ),
    path(
        "partenariats/gestion/partenariats/nouveau/",
        views.PartnershipEditView.as_view(),
        name="manage_partnership_create",
    ),
    path(
        "partenariats/gestion/partenariats/<slug:slug>/",
        views.PartnershipEditView.as_view(),
        name="manage_partnership_edit",
    ),
    path(
        "partenariats/gestion/partenariats/<slug:slug>/ententes/nouvelle/",
        views.AgreementEditView.as_view(),
        name="manage_agreement_create",
    ),
    path(
        "partenariats/gestion/ententes/<int:pk>/",
        views.AgreementEditView.as_view(),
        name="manage_agreement_edit",
    ),
    path("partenariats/gestion/missions/", views.MissionListView.as_view(), name="manage_missions"),
    path(
        "partenariats/gestion/missions/nouvelle/",
        views.MissionEditView.as_view(),
        name="manage_mission_create",
    ),
    path(
        "partenariats/gestion/missions/<slug:slug>/",
        views.MissionEditView.as_view(),
        name="manage_mission_edit",
    ),
    path(
        "partenariats/gestion/missions/<slug:slug>/supprimer/",
        views.MissionDeleteView.as_view(),
        name="manage_mission_delete",
    ),
    path(
        "partenariats/gestion/objectifs/<int:pk>/",
        views.ObjectiveOutcomeView.as_view(),
        name="manage_objective",
    ),
]
