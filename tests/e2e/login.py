"""Logging in through allauth's real login page in Chromium, with the TOTP step that staff go through."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from tests import factories

PASSWORD = "fabrique-demo"
TOTP_PERIOD = 30  # seconds: allauth's default MFA_TOTP_PERIOD

# The last code typed per secret: allauth accepts a code once, so a second login within the same 30 s
# waits for the next code rather than being refused.
_last_codes: dict[str, str] = {}


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`, never the one typed just before."""
    code = format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))
    if _last_codes.get(secret) == code:
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.2)
        code = format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))
    _last_codes[secret] = code
    return code


def log_in(
    page: Page, base_url: str, email: str, password: str = PASSWORD, totp_secret: str | None = None
) -> None:
    """Fills the login form; with `totp_secret`, then the code page that follows for staff.

    Staff made by StaffFactory use `factories.STAFF_TOTP_SECRET` (see `log_in_as_staff`)."""
    page.goto(f"{base_url}/comptes/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")
    if totp_secret is not None:
        expect(page.get_by_role("heading", level=1, name="Double authentification")).to_be_visible()
        page.locator("input[name=code]").fill(totp_code(totp_secret))
        page.locator("input[name=code]").press("Enter")
        expect(page.locator("form[action='/comptes/logout/']")).to_have_count(1)


def log_in_as_staff(page: Page, base_url: str, email: str) -> None:
    log_in(page, base_url, email, totp_secret=factories.STAFF_TOTP_SECRET)
