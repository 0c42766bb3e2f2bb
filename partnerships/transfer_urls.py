"""URLs of the partnerships app's transfer pages (namespace `partnerships`, via partnerships/urls.py)."""

from django.urls import path

from partnerships import transfer_views as views

urlpatterns = [
    path("transferts/", views.TransferListView.as_view(), name="transfers"),
    # Before the transfer's page, whose slug would otherwise take "proposer".
    path("transferts/proposer/", views.transfer_propose, name="transfer_propose"),
    path("transferts/<slug:slug>/", views.transfer_detail, name="transfer_detail"),
    path("transferts/<slug:slug>/modifier/", views.transfer_edit, name="transfer_edit"),
    path("transferts/<slug:slug>/valider/", views.transfer_validate, name="transfer_validate"),
    path("transferts/<slug:slug>/depublier/", views.transfer_unpublish, name="transfer_unpublish"),
]
