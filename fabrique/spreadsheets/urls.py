"""URLs of the staff's spreadsheet import under /pilotage/import/; names `spreadsheets:<name>`."""

from django.urls import include, path

from fabrique.spreadsheets import views

app_name = "spreadsheets"

urlpatterns = [
    path("pilotage/import/", views.import_page, name="import"),
    path("pilotage/import/historique/", views.history, name="history"),
    path("pilotage/import/<int:pk>/", views.run_detail, name="run"),
    path("pilotage/import/<int:pk>/confirmer/", views.run_confirm, name="confirm"),
    path("pilotage/import/<int:pk>/avancement/", views.run_progress, name="progress"),
    path("", include("fabrique.spreadsheets.export_urls")),
]
