"""URLs of the staff's exports under /pilotage/export/, in the `spreadsheets` namespace (included by
fabrique/spreadsheets/urls.py): `spreadsheets:export` with `kind` (a key of the registry) and `extension`."""

from django.urls import re_path

from fabrique.spreadsheets import export_views

urlpatterns = [
    re_path(
        r"^pilotage/export/(?P<kind>[a-z]+)\.(?P<extension>csv|xlsx)$", export_views.export, name="export"
    ),
]
