"""The demo accounts (issue 8): their addresses are verified, and the demo staff account has an
authenticator app whose secret is published, so that a person can log in with a phone."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt

from fabrique.demo.accounts import ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, ensure_users

pytestmark = pytest.mark.django_db


def test_every_demo_account_has_a_verified_primary_address():
    users = ensure_users()

    for account in ACCOUNTS:
        assert EmailAddress.objects.filter(
            user=users[account.email], email=account.email, verified=True, primary=True
        ).exists()


def test_the_demo_staff_account_has_the_published_totp_secret_and_a_rerun_keeps_one():
    ensure_users()
    ensure_users()

    authenticator = Authenticator.objects.get(user__email="avise@example.org")
    assert authenticator.type == Authenticator.Type.TOTP
    assert decrypt(authenticator.data["secret"]) == DEMO_TOTP_SECRET
    assert not Authenticator.objects.filter(user__is_staff=False).exists()


def test_a_changed_demo_secret_is_put_back():
    ensure_users()
    Authenticator.objects.filter(user__email="avise@example.org").update(data={"secret": "AAAAAAAAAAAAAAAA"})

    ensure_users()

    authenticator = Authenticator.objects.get(user__email="avise@example.org")
    assert decrypt(authenticator.data["secret"]) == DEMO_TOTP_SECRET


def test_the_demo_staff_account_logs_in_with_the_password_and_a_code_from_the_secret(client):
    ensure_users()

    client.post("/comptes/login/", {"login": "avise@example.org", "password": DEMO_PASSWORD})
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
    response = client.post("/comptes/2fa/authenticate/", {"code": code})

    assert response["Location"] == "/"
    assert client.get("/pilotage/").status_code == 200
