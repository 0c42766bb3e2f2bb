"""URLs of the partnerships app's public pages (namespace `partnerships`, via partnerships/urls.py)."""

from django.urls import path

from partnerships import views

urlpatterns = [
    path("partenariats/", views.partnership_list, name="list"),
    path("partenariats/<slug:slug>/", views.partnership_detail, name="detail"),
    path(
        "partenariats/<slug:slug>/ententes/<int:pk>/document/",
        views.agreement_document,
        name="agreement_document",
    ),
    path("missions/", views.mission_list, name="missions"),
    path("missions.ics", views.missions_ics, name="missions_ics"),
    # Before the mission's page, whose slug could otherwise be « fuseau ».
    path("missions/fuseau/", views.timezone_choice, name="timezone_choice"),
    path("missions/<slug:slug>/", views.mission_detail, name="mission_detail"),
    path("missions/<slug:slug>/rapport/", views.mission_report, name="mission_report"),
]
