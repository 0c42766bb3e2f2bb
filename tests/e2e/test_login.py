"""Logging in through the real login page, in Chromium."""

import re

from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.login import log_in, log_in_as_staff

EMAIL = "coordination@tag22.example.org"
PASSWORD = "fabrique-demo"


def coordinator_of_tag22():
    return factories.CoordinatorFactory(
        user__email=EMAIL, structure__name="TAg22", structure__slug="tag22"
    ).user


def test_coordinator_logs_in_and_lands_on_the_home_page(live_server, page: Page):
    user = coordinator_of_tag22()

    log_in(page, live_server.url, EMAIL, PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("form[action='/comptes/logout/']")).to_have_count(1)
    session_key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    assert Session.objects.get(session_key=session_key).get_decoded()["_auth_user_id"] == str(user.pk)


def test_wrong_password_keeps_the_visitor_on_the_login_page(live_server, page: Page):
    coordinator_of_tag22()

    log_in(page, live_server.url, EMAIL, "not-the-password")

    expect(page).to_have_url(re.compile(r"/comptes/login/$"))
    expect(page.get_by_text("L’adresse e-mail ou le mot de passe sont incorrects.")).to_be_visible()
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(page.locator("form[action='/comptes/logout/']")).to_have_count(0)
    assert not any(c["name"] == "sessionid" for c in page.context.cookies())


def test_staff_log_in_with_their_password_then_the_code_of_their_authenticator_app(live_server, page: Page):
    staff = factories.StaffFactory(email="avise@example.org")

    log_in_as_staff(page, live_server.url, staff.email)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Pilotage")).to_be_visible()
