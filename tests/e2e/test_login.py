"""Logging in through the real login page, in Chromium."""

import re

from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from tests import factories

EMAIL = "coordination@tag22.example.org"
PASSWORD = "fabrique-demo"


def coordinator_of_tag22():
    return factories.CoordinatorFactory(
        user__email=EMAIL, structure__name="TAg22", structure__slug="tag22"
    ).user


def log_in(page: Page, base_url: str, password: str) -> None:
    page.goto(f"{base_url}/comptes/login/")
    page.locator("input[name=login]").fill(EMAIL)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")


def test_coordinator_logs_in_and_lands_on_the_home_page(live_server, page: Page):
    user = coordinator_of_tag22()

    log_in(page, live_server.url, PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("form[action='/comptes/logout/']")).to_have_count(1)
    session_key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    assert Session.objects.get(session_key=session_key).get_decoded()["_auth_user_id"] == str(user.pk)


def test_wrong_password_keeps_the_visitor_on_the_login_page(live_server, page: Page):
    coordinator_of_tag22()

    log_in(page, live_server.url, "not-the-password")

    expect(page).to_have_url(re.compile(r"/comptes/login/$"))
    expect(page.get_by_text("L’adresse e-mail ou le mot de passe sont incorrects.")).to_be_visible()
    expect(page.locator("input[name=password]")).to_be_visible()
    expect(page.locator("form[action='/comptes/logout/']")).to_have_count(0)
    assert not any(c["name"] == "sessionid" for c in page.context.cookies())
