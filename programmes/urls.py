"""URLs of the public programme pages. French paths; names `programmes:<name>`."""

from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("programmes/", views.programme_list, name="list"),
    path("programmes/<slug:slug>/", views.programme_detail, name="detail"),
]
