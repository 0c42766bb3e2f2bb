"""URLs of the staff's appellation pages under /pilotage/appellation/ (included by network/urls.py,
namespace `network`)."""

from django.urls import path

from network.appellation import staff_views

urlpatterns = [
    path("pilotage/appellation/", staff_views.overview, name="appellation_staff"),
    path("pilotage/appellation/comites/", staff_views.committee_list, name="appellation_committees"),
    path(
        "pilotage/appellation/comites/nouveau/",
        staff_views.committee_create,
        name="appellation_committee_create",
    ),
    path(
        "pilotage/appellation/comites/<int:pk>/", staff_views.committee_detail, name="appellation_committee"
    ),
    path(
        "pilotage/appellation/comites/<int:pk>/inscrire/",
        staff_views.committee_attach,
        name="appellation_committee_attach",
    ),
    path(
        "pilotage/appellation/comites/<int:pk>/membres/",
        staff_views.committee_members,
        name="appellation_committee_members",
    ),
    path(
        "pilotage/appellation/comites/<int:pk>/conflits/",
        staff_views.committee_conflict,
        name="appellation_committee_conflict",
    ),
    path(
        "pilotage/appellation/comites/<int:pk>/demandes/<int:application_pk>/decision/",
        staff_views.decision,
        name="appellation_decision",
    ),
    path("pilotage/appellation/structures/<slug:slug>/phase/", staff_views.phase, name="appellation_phase"),
]
