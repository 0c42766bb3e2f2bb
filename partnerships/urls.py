"""URLs of the partnerships app: the public pages (partnerships, missions, iCalendar feed), the know-how
transfers, and the staff's editing pages. French paths; names `partnerships:<name>`."""

from django.urls import include, path

app_name = "partnerships"

urlpatterns = [
    path("", include("partnerships.public_urls")),
    path("", include("partnerships.transfer_urls")),
    path("", include("partnerships.staff_urls")),
]
