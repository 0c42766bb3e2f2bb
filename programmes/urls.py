"""URLs of the public programme pages. French paths; names `programmes:<name>`."""

from django.urls import path

from programmes import portal_views, views

app_name = "programmes"

urlpatterns = [
    path("programmes/", views.programme_list, name="list"),
    path("programmes/<slug:slug>/", views.programme_detail, name="detail"),
    path("partenaires/", portal_views.portal_home, name="portal"),
    path("partenaires/programmes/<slug:slug>/", portal_views.portal_programme, name="portal_programme"),
]
