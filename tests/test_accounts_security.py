"""Account security (issue 8): no sign-up, verified addresses only, password reset end to end, allauth's
rate limits answering 429 in French, TOTP required for Avise staff, the admin's login sent to allauth's."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fabrique.models import User
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "fabrique-demo"
LOGIN_URL = "/comptes/login/"
ACTIVATE_URL = "/comptes/2fa/totp/activate/"
AUTHENTICATE_URL = "/comptes/2fa/authenticate/"


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(client, email: str, password: str = PASSWORD):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def link_in(message, marker: str) -> str:
    return next(word for word in message.body.split() if marker in word).split("testserver", 1)[1]


@pytest.fixture
def staff_without_totp(db):
    return factories.StaffFactory(email="nouvelle@avise.example.org", totp=False)


# --- No sign-up, verified addresses only -----------------------------------------------------------------


def test_anonymous_cannot_sign_up(client):
    response = client.post(
        "/comptes/signup/",
        {
            "email": "intrus@example.org",
            "password1": "Un-long-mot-de-passe-2026",
            "password2": "Un-long-mot-de-passe-2026",
        },
    )

    assert "Inscription fermée" in response.content.decode()
    assert not User.objects.filter(email="intrus@example.org").exists()
    assert not EmailAddress.objects.filter(email="intrus@example.org").exists()


def test_an_unverified_address_cannot_log_in_and_receives_a_verification_link(client):
    user = factories.UserFactory(email="non.verifiee@tag22.example.org", verified_email=False)

    response = log_in(client, user.email)

    assert response.status_code == 302
    assert response["Location"] == "/comptes/confirm-email/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "<h1>Vérifiez votre adresse e-mail</h1>" in page
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_following_the_verification_link_verifies_the_address_then_login_works(client):
    user = factories.UserFactory(email="non.verifiee@tag22.example.org", verified_email=False)
    log_in(client, user.email)
    path = link_in(mail.outbox[0], "/comptes/confirm-email/")

    confirm_page = client.get(path)
    assert "Confirmer l’adresse e-mail" in confirm_page.content.decode()
    client.post(path)

    assert EmailAddress.objects.get(user=user).verified
    client.logout()
    assert log_in(client, user.email)["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)


# --- Password reset --------------------------------------------------------------------------------------


def test_password_reset_by_mail_then_login_with_the_new_password(client, coordinator):
    client.post("/comptes/password/reset/", {"email": coordinator.email})
    message = mail.outbox[0]
    assert "mot de passe" in message.subject.lower()  # allauth's own French mail
    form_page = client.get(link_in(message, "/comptes/password/reset/key/"), follow=True)
    action = form_page.redirect_chain[-1][0]
    new_password = "Nouveau-mot-de-passe-2026"

    client.post(action, {"password1": new_password, "password2": new_password})

    assert log_in(client, coordinator.email, PASSWORD).status_code == 200  # the old one no longer works
    assert log_in(client, coordinator.email, new_password)["Location"] == "/"
    assert client.session["_auth_user_id"] == str(coordinator.pk)


# --- Rate limits -----------------------------------------------------------------------------------------


def test_too_many_login_attempts_answer_429_with_a_french_page(client, settings, coordinator):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    for _attempt in range(3):
        log_in(client, coordinator.email, "pas-le-bon")

    blocked = log_in(client, coordinator.email)

    assert blocked.status_code == 429
    html = blocked.content.decode()
    assert "<h1>Trop de tentatives</h1>" in html
    assert "Patientez quelques minutes avant de réessayer." in html
    assert "_auth_user_id" not in client.session


def test_after_five_failed_logins_even_the_right_password_is_refused(client, coordinator):
    for _attempt in range(5):
        log_in(client, coordinator.email, "pas-le-bon")

    response = log_in(client, coordinator.email)

    assert response.status_code == 200
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_too_many_password_reset_links_opened_answer_429(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password_from_key": "2/m/ip"}
    new_password = {"password1": "Nouveau-mot-de-passe-2026", "password2": "Nouveau-mot-de-passe-2026"}
    for _attempt in range(2):
        client.post("/comptes/password/reset/key/1-pas-une-cle/", new_password)

    blocked = client.post("/comptes/password/reset/key/1-pas-une-cle/", new_password)

    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.content.decode()


# --- TOTP for staff --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/espace/", "/pilotage/", "/pilotage/invitations/", "/admin/"])
def test_staff_without_totp_are_sent_to_its_activation_from_any_page(client, staff_without_totp, url):
    client.force_login(staff_without_totp)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_URL


def test_sessions_opened_by_another_backend_are_checked_too(client, staff_without_totp):
    # Sessions opened before the TOTP-aware backend existed load the user without the flag.
    client.force_login(staff_without_totp, backend="django.contrib.auth.backends.ModelBackend")

    assert client.get("/espace/")["Location"] == ACTIVATE_URL


def test_staff_without_totp_may_switch_the_language_of_the_activation_page(client, staff_without_totp):
    client.force_login(staff_without_totp)

    response = client.post("/i18n/setlang/", {"language": "en", "next": ACTIVATE_URL})

    assert response["Location"] == ACTIVATE_URL


def test_staff_without_totp_are_told_why_in_french(client, staff_without_totp):
    client.force_login(staff_without_totp)

    page = client.get("/espace/", follow=True)

    assert "L’équipe de l’Avise protège son compte par une double authentification" in page.content.decode()


def test_staff_without_totp_may_still_log_out(client, staff_without_totp):
    client.force_login(staff_without_totp)

    response = client.post("/comptes/logout/")

    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_staff_without_totp_are_not_held_back_on_static_files(client, staff_without_totp):
    client.force_login(staff_without_totp)

    response = client.get("/static/css/fabrique.css")

    assert response.get("Location") != ACTIVATE_URL


def test_health_check_never_reads_the_sessions_user(client, staff_without_totp, settings):
    # Monitoring may send a cookie: /sante/ must still answer while the database is down, so it never
    # loads the session's user (which needs the database) to check TOTP.
    settings.CELERY_BROKER_URL = ""
    client.force_login(staff_without_totp)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/sante/")
    assert response.status_code == 200
    assert [query["sql"] for query in queries] == ["SELECT 1"]  # the database check, nothing else


@pytest.mark.parametrize("role", ["coordinator", "partner_user"])
def test_other_users_are_not_asked_for_totp(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get("/espace/").status_code == 200


def reauthenticate(client) -> None:
    """allauth asks the password again before an authenticator is added (MFA_REAUTHENTICATION_REQUIRED)."""
    response = client.get(ACTIVATE_URL)
    assert response["Location"] == "/comptes/reauthenticate/?next=%2Fcomptes%2F2fa%2Ftotp%2Factivate%2F"
    assert "Confirmer votre identité" in client.get(response["Location"]).content.decode()
    client.post(response["Location"], {"password": PASSWORD})


def test_staff_activate_totp_in_french_then_reach_every_page(client, staff_without_totp):
    log_in(client, staff_without_totp.email)
    reauthenticate(client)

    page = client.get(ACTIVATE_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Activer une application d’authentification</h1>" in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<svg" in main  # the QR code, inline: the CSP needs no data: image
    assert "<script" not in main and "style=" not in main
    secret = client.session[SECRET_SESSION_KEY]

    response = client.post(ACTIVATE_URL, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff_without_totp, type=Authenticator.Type.TOTP).exists()
    assert client.get("/espace/").status_code == 200


def test_a_wrong_code_does_not_activate_totp(client, staff_without_totp):
    log_in(client, staff_without_totp.email)
    reauthenticate(client)
    client.get(ACTIVATE_URL)

    response = client.post(ACTIVATE_URL, {"code": "000000"})

    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=staff_without_totp).exists()
    assert client.get("/espace/")["Location"] == ACTIVATE_URL


def test_staff_with_totp_must_enter_the_code_at_login(client, staff):
    response = log_in(client, staff.email)

    assert response["Location"] == AUTHENTICATE_URL
    assert "_auth_user_id" not in client.session  # the password alone opens nothing
    page = client.get(AUTHENTICATE_URL).content.decode()
    assert "<h1>Double authentification</h1>" in page

    wrong = client.post(AUTHENTICATE_URL, {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session

    right = client.post(AUTHENTICATE_URL, {"code": totp_code(factories.STAFF_TOTP_SECRET)})
    assert right["Location"] == "/"
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert client.get("/pilotage/invitations/").status_code == 200


# --- The admin's login -----------------------------------------------------------------------------------


def test_admin_login_page_sends_to_allauths_login(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/comptes/login/?next=/admin/"


def test_admin_login_form_cannot_be_used_to_skip_totp(client, staff):
    response = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")
    assert "_auth_user_id" not in client.session
