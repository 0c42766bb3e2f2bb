"""Invitations (issue 8): only Avise staff invite; the e-mailed link is signed, single-use and expires; it
creates a verified account with its roles; an existing account gets the role at once; resend and revoke."""

import datetime as dt
import time

import pytest
from allauth.account.models import EmailAddress
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from fabrique.accounts import invitations
from fabrique.models import Invitation, User
from network.models import Coordinator
from programmes.models import PartnerMember
from tests import factories

pytestmark = pytest.mark.django_db

LIST_URL = "/pilotage/invitations/"
NEW_URL = "/pilotage/invitations/nouvelle/"
PASSWORD = "Un-long-mot-de-passe-2026"
NEWCOMER = "nouvelle.recrue@tag22.example.org"


def invite(staff, structures=(), partner=None, email=NEWCOMER, **extra) -> Invitation:
    return invitations.invite(
        invited_by=staff,
        email=email,
        structures=structures,
        partner=partner,
        base_url="http://testserver/",
        **extra,
    )


def link_path(invitation: Invitation) -> str:
    return reverse("accounts:accept", args=[invitations.link_token(invitation)])


def link_in(message) -> str:
    link = next(word for word in message.body.split() if "/comptes/invitation/" in word)
    return link.split("testserver", 1)[1]


def accept(client, path: str, password: str = PASSWORD):
    return client.post(
        path, {"first_name": "Léa", "last_name": "Le Goff", "password1": password, "password2": password}
    )


@pytest.fixture
def pending(staff, tag22) -> Invitation:
    return invite(staff, structures=[tag22])


# --- Who may invite --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST_URL, NEW_URL, "/pilotage/invitations/1/annuler/"])
def test_anonymous_visitor_is_sent_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/?next=")


@pytest.mark.parametrize("role", ["outsider", "partner_user", "coordinator"])
def test_only_staff_see_the_invitations(client, request, role, pending):
    client.force_login(request.getfixturevalue(role))

    assert client.get(LIST_URL).status_code == 403
    assert client.get(NEW_URL).status_code == 403
    assert client.get(f"/pilotage/invitations/{pending.pk}/annuler/").status_code == 403


@pytest.mark.parametrize("role", ["outsider", "partner_user", "coordinator"])
def test_only_staff_can_invite_resend_or_revoke(client, request, role, tag22, pending):
    client.force_login(request.getfixturevalue(role))

    assert client.post(NEW_URL, {"email": "intrus@example.org", "structures": [tag22.pk]}).status_code == 403
    assert client.post(f"/pilotage/invitations/{pending.pk}/renvoyer/").status_code == 403
    assert client.post(f"/pilotage/invitations/{pending.pk}/annuler/").status_code == 403
    assert not Invitation.objects.filter(email="intrus@example.org").exists()
    pending.refresh_from_db()
    assert pending.revoked_at is None


# --- The staff's pages -----------------------------------------------------------------------------------


def test_staff_invite_a_coordinator_who_receives_a_french_mail_with_the_link(
    client, staff, tag22, django_capture_on_commit_callbacks
):
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            NEW_URL, {"email": "Nouvelle.Recrue@TAg22.example.org", "structures": [tag22.pk]}
        )

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    invitation = Invitation.objects.get()
    assert invitation.email == NEWCOMER  # stored lower-case, as accounts are
    assert invitation.invited_by == staff
    assert [message.to for message in mail.outbox] == [[NEWCOMER]]
    message = mail.outbox[0]
    assert message.subject == "Votre invitation sur la plateforme de la Fabrique à initiatives"
    assert "chargé·e de mission de TAg22" in message.body
    assert "vaut 7 jours" in message.body
    assert link_in(message) == link_path(invitation)
    assert "Invitation envoyée à nouvelle.recrue@tag22.example.org." in client.get(LIST_URL).content.decode()


def test_no_mail_leaves_when_the_invitation_is_not_committed(
    staff, tag22, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite(staff, structures=[tag22])

    assert mail.outbox == []
    assert len(callbacks) == 1


def test_an_invitation_needs_a_role(client, staff):
    client.force_login(staff)

    response = client.post(NEW_URL, {"email": NEWCOMER})

    assert response.status_code == 400
    assert "Choisissez au moins une structure ou un partenaire" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_second_pending_invitation_for_the_same_address_is_refused(client, staff, tag22, pending):
    client.force_login(staff)

    response = client.post(NEW_URL, {"email": NEWCOMER, "structures": [tag22.pk]})

    assert response.status_code == 400
    assert "Une invitation attend déjà une réponse de cette adresse" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_staff_see_each_invitation_with_its_status(client, staff, tag22, atis):
    accepted = invite(staff, structures=[tag22], email="acceptee@example.org")
    invitations.accept(invitation=accepted, password=PASSWORD)
    revoked = invite(staff, structures=[tag22], email="annulee@example.org")
    invitations.revoke(invitation=revoked)
    expired = invite(staff, structures=[atis], email="expiree@example.org")
    Invitation.objects.filter(pk=expired.pk).update(sent_at=timezone.now() - dt.timedelta(days=8))
    invite(staff, structures=[atis], email="attente@example.org")
    client.force_login(staff)

    html = client.get(LIST_URL).content.decode()

    for email, status in [
        ("acceptee@example.org", "Acceptée"),
        ("annulee@example.org", "Révoquée"),
        ("expiree@example.org", "Expirée"),
        ("attente@example.org", "En attente"),
    ]:
        row = html.split(email, 1)[1].split("</tr>", 1)[0]
        assert status in row, email


def test_status_filter_lists_only_the_pending_invitations(client, staff, tag22):
    invite(staff, structures=[tag22], email="attente@example.org")
    revoked = invite(staff, structures=[tag22], email="annulee@example.org")
    invitations.revoke(invitation=revoked)
    client.force_login(staff)

    html = client.get(LIST_URL, {"statut": "pending"}).content.decode()

    assert "attente@example.org" in html
    assert "annulee@example.org" not in html


def test_empty_list_invites_to_send_the_first_invitation(client, staff):
    client.force_login(staff)

    html = client.get(LIST_URL).content.decode()

    assert "Aucune invitation n’a encore été envoyée." in html


def test_list_is_paginated_by_25(client, staff, tag22):
    for number in range(26):
        invite(staff, structures=[tag22], email=f"personne{number}@example.org")
    client.force_login(staff)

    first, second = client.get(LIST_URL), client.get(LIST_URL, {"page": 2})

    assert first.content.decode().count('<th scope="row">') == 25
    assert second.content.decode().count('<th scope="row">') == 1
    assert "Page 2 sur 2" in second.content.decode()


@pytest.mark.parametrize("number", [1, 20])
def test_list_runs_the_same_queries_for_1_or_20_invitations(
    client, staff, tag22, atis, django_assert_num_queries, number
):
    partner = factories.PartnerFactory()
    for index in range(number):
        invite(staff, structures=[tag22, atis], partner=partner, email=f"personne{index}@example.org")
    client.force_login(staff)
    # 1 session, 2 user (with whether they have TOTP); 3 count for the paginator, 4 the page of invitations
    # with who invited, the partner and the account; 5 their structures.
    with django_assert_num_queries(5):
        response = client.get(LIST_URL)
    assert response.content.decode().count("Chargé·e de mission de ATIS") == number


def test_staff_revoke_after_confirming_and_the_link_stops_working(client, staff, pending):
    client.force_login(staff)
    revoke_url = f"/pilotage/invitations/{pending.pk}/annuler/"

    confirmation = client.get(revoke_url)
    assert confirmation.status_code == 200
    assert "Annuler l’invitation de nouvelle.recrue@tag22.example.org\u202f?" in confirmation.content.decode()
    pending.refresh_from_db()
    assert pending.revoked_at is None  # asking is not revoking

    response = client.post(revoke_url)

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.REVOKED
    client.logout()
    refused = client.get(link_path(pending))
    assert refused.status_code == 410
    assert "Cette invitation a été annulée par l’équipe de l’Avise." in refused.content.decode()


def test_an_accepted_invitation_cannot_be_revoked(client, staff, pending):
    invitations.accept(invitation=pending, password=PASSWORD)
    client.force_login(staff)

    client.post(f"/pilotage/invitations/{pending.pk}/annuler/")

    pending.refresh_from_db()
    assert pending.revoked_at is None
    assert pending.status == Invitation.Status.ACCEPTED


def test_resending_sends_a_new_link_and_the_old_one_stops_working(
    client, staff, pending, django_capture_on_commit_callbacks
):
    old_path = link_path(pending)
    Invitation.objects.filter(pk=pending.pk).update(sent_at=timezone.now() - dt.timedelta(days=8))
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/pilotage/invitations/{pending.pk}/renvoyer/")

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.PENDING  # a new delay
    assert link_in(mail.outbox[-1]) == link_path(pending) != old_path
    client.logout()
    assert client.get(old_path).status_code == 410
    assert client.get(link_path(pending)).status_code == 200


# --- Following the link ----------------------------------------------------------------------------------


def test_the_link_creates_a_verified_account_with_its_role_and_logs_in(client, pending, tag22):
    response = accept(client, link_path(pending))

    assert response.status_code == 302
    assert response["Location"] == "/espace/"
    user = User.objects.get(email=NEWCOMER)
    assert (user.first_name, user.last_name) == ("Léa", "Le Goff")
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.filter(user=user, email=NEWCOMER, verified=True, primary=True).exists()
    assert Coordinator.objects.filter(user=user, structure=tag22).exists()
    assert client.session["_auth_user_id"] == str(user.pk)
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.ACCEPTED and pending.accepted_by == user


def test_invited_coordinator_sees_their_structure_in_their_workspace(client, pending, tag22):
    factories.ProjectFactory(structure=tag22, title="Garage solidaire de Guingamp")

    workspace = client.get(accept(client, link_path(pending))["Location"])

    assert workspace.status_code == 200
    assert "Garage solidaire de Guingamp" in workspace.content.decode()


def test_the_invited_person_then_logs_in_with_email_and_password(client, pending):
    accept(client, link_path(pending))
    client.logout()

    response = client.post("/comptes/login/", {"login": NEWCOMER, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(email=NEWCOMER).pk)


def test_the_link_works_only_once(client, pending):
    path = link_path(pending)
    accept(client, path)
    client.logout()

    again = client.get(path)
    second_post = accept(client, path, password="Un-autre-mot-de-passe-2026")

    assert again.status_code == 410
    assert "Cette invitation a déjà servi" in again.content.decode()
    assert second_post.status_code == 410
    assert User.objects.get(email=NEWCOMER).check_password(PASSWORD)


def test_the_link_expires_after_the_maximum_age(client, settings, pending):
    settings.INVITATION_MAX_AGE_DAYS = 7
    Invitation.objects.filter(pk=pending.pk).update(sent_at=timezone.now() - dt.timedelta(days=7, minutes=1))

    response = client.get(link_path(pending))

    assert response.status_code == 410
    assert "Ce lien d’invitation a expiré" in response.content.decode()
    assert accept(client, link_path(pending)).status_code == 410
    assert not User.objects.filter(email=NEWCOMER).exists()


def test_a_link_signed_longer_ago_than_the_maximum_age_is_refused(client, monkeypatch, pending):
    eight_days_ago = time.time() - 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_ago)
    old_token = invitations.link_token(pending)
    monkeypatch.undo()

    response = client.get(reverse("accounts:accept", args=[old_token]))

    assert response.status_code == 410
    assert "Ce lien d’invitation a expiré" in response.content.decode()


def test_a_tampered_link_is_refused(client, pending):
    token = invitations.link_token(pending)
    forged = signing.dumps("une-autre-cle", salt="autre-sel")

    assert client.get(reverse("accounts:accept", args=[token[:-2] + "xx"])).status_code == 410
    response = client.get(reverse("accounts:accept", args=[forged]))
    assert "Ce lien d’invitation n’est pas valable." in response.content.decode()


def test_a_weak_password_is_refused_with_djangos_validators(client, pending):
    response = accept(client, link_path(pending), password="12345678")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ce mot de passe est trop courant." in html
    assert not User.objects.filter(email=NEWCOMER).exists()
    pending.refresh_from_db()
    assert pending.status == Invitation.Status.PENDING


def test_mismatched_passwords_are_refused(client, pending):
    response = client.post(link_path(pending), {"password1": PASSWORD, "password2": PASSWORD + "x"})

    assert response.status_code == 400
    assert "Les deux mots de passe ne sont pas identiques." in response.content.decode()


def test_a_partner_invitation_makes_a_member_of_the_partner(client, staff):
    psa = factories.PartnerFactory(name="Fondation PSA", slug="fondation-psa")
    invitation = invite(staff, partner=psa, email="nouveau@fondation-psa.example.org")

    accept(client, link_path(invitation))

    assert PartnerMember.objects.filter(user__email="nouveau@fondation-psa.example.org", partner=psa).exists()


# --- An address that already has an account -------------------------------------------------------------


def test_an_existing_account_gets_the_role_at_once_and_a_mail_saying_so(
    client, staff, outsider, tag22, django_capture_on_commit_callbacks
):
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(NEW_URL, {"email": outsider.email, "structures": [tag22.pk]})

    assert Coordinator.objects.filter(user=outsider, structure=tag22).exists()
    invitation = Invitation.objects.get()
    assert invitation.existing_account and invitation.status == Invitation.Status.ACCEPTED
    assert User.objects.filter(email=outsider.email).count() == 1
    message = mail.outbox[0]
    assert message.subject == "Nouvel accès sur la plateforme de la Fabrique à initiatives"
    assert "Vous avez déjà un compte\u00a0: pas de nouveau mot de passe à choisir." in message.body
    assert "/comptes/invitation/" not in message.body
    html = client.get(LIST_URL).content.decode()
    assert "avait déjà un compte\u00a0: ses nouveaux rôles lui sont ajoutés" in html
    assert "compte existant\u00a0: rôle ajouté" in html


def test_an_account_made_meanwhile_gets_the_role_but_the_link_does_not_log_it_in(client, pending, tag22):
    # Made in the admin after the invitation left: the link must not open it without its password.
    existing = factories.UserFactory(email=NEWCOMER)

    response = accept(client, link_path(pending), password="Un-autre-mot-de-passe-2026")

    assert response["Location"] == "/comptes/login/"
    assert "_auth_user_id" not in client.session
    assert Coordinator.objects.filter(user=existing, structure=tag22).exists()
    existing.refresh_from_db()
    assert existing.check_password("fabrique-demo")
    page = client.get(response["Location"]).content.decode()
    assert "Votre compte existait déjà\u00a0: ses nouveaux rôles lui sont ajoutés." in page
