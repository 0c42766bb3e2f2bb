"""URLs of the programme pages, their booklets and the partner portal; names `programmes:<name>`."""

from django.urls import path

from programmes import booklet_views, portal_views, views

app_name = "programmes"

urlpatterns = [
    path("programmes/", views.programme_list, name="list"),
    path("programmes/<slug:slug>/", views.programme_detail, name="detail"),
    path("programmes/<slug:slug>/carnet.pdf", booklet_views.booklet, name="booklet"),
    path("programmes/<slug:slug>/carnet/etat/", booklet_views.booklet_status, name="booklet_status"),
    path("programmes/<slug:slug>/carnet/regenerer/", booklet_views.booklet_rebuild, name="booklet_rebuild"),
    path("partenaires/", portal_views.portal_home, name="portal"),
    path("partenaires/programmes/<slug:slug>/", portal_views.portal_programme, name="portal_programme"),
]
