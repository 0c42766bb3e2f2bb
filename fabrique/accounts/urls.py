"""URLs of the invitations; names `accounts:<name>`. Staff pages under /pilotage/, the link under
/comptes/."""

from django.urls import path

from fabrique.accounts import views

app_name = "accounts"

urlpatterns = [
    path("pilotage/invitations/", views.invitation_list, name="invitations"),
    path("pilotage/invitations/nouvelle/", views.invitation_create, name="invite"),
    path("pilotage/invitations/<int:pk>/renvoyer/", views.invitation_resend, name="resend"),
    path("pilotage/invitations/<int:pk>/annuler/", views.invitation_revoke, name="revoke"),
    path("comptes/invitation/<str:token>/", views.accept, name="accept"),
]
