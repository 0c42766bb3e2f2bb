"""The account pages: allauth's (/comptes/…, the two-factor ones under /comptes/2fa/), the invitations
(fabrique.accounts) and the admin's login, which hands over to allauth's.

The rules, by kind of page rather than one by one:
- the pages to get into an account (log in, reset a password, follow a link) are for signed-out visitors;
  a signed-in user is sent on to the home page;
- the pages of one's own account (e-mail, password, two-factor) need an account: the login page otherwise;
- the invitations are the staff's."""

from tests.url_access.expect import (
    HIDDEN,
    HOME,
    OK,
    Expect,
    Route,
    everyone,
    redirect,
    route,
    signed_in,
    staff_only,
)
from tests.url_access.world import World

POST = "POST"
GONE = Expect(410)  # an invitation link that is not (or no longer) valid


def signed_out_only(answer: Expect = OK) -> dict[str, Expect]:
    return {**everyone(HOME), "anonymous": answer}


def bad_email_key(world: World) -> dict:
    return {"key": "cle-inconnue"}


def bad_reset_key(world: World) -> dict:
    return {"uidb36": "0", "key": "cle-inconnue"}


def bad_invitation_token(world: World) -> dict:
    return {"token": "lien-inconnu"}


def invitation(world: World) -> dict:
    return {"pk": world.invitation.pk}


# Reauthentication: allauth asks the password again before changing the two-factor settings.
REAUTHENTICATE = redirect("account_reauthenticate")

ACCOUNT_ROUTES: dict[str, Route] = {
    "account_login": route(**signed_out_only()),
    # Logging out is a POST from a confirmation page; a signed-out visitor has nothing to leave.
    "account_logout": route(**{**signed_in(OK), "anonymous": HOME}),
    "account_inactive": route(**everyone(OK)),
    # Sign-up is closed: the page says so.
    "account_signup": route(**signed_out_only()),
    "account_reauthenticate": route(**signed_in(OK)),
    "account_email": route(**signed_in(OK)),
    "account_email_verification_sent": route(**everyone(OK)),
    "account_change_password": route(**signed_in(OK)),
    # Every account has a password (set when the invitation is accepted): « set » becomes « change ».
    "account_set_password": route(**signed_in(redirect("account_change_password"))),
    "account_reset_password": route(**everyone(OK)),
    "account_reset_password_done": route(**everyone(OK)),
    "account_reset_password_from_key": route(bad_reset_key, **everyone(OK)),
    "account_reset_password_from_key_done": route(**everyone(OK)),
    "account_confirm_email": route(bad_email_key, **everyone(OK)),
    # The code step of a login by e-mailed code (not offered): without a login in progress, back to the
    # login page.
    "account_confirm_login_code": route(**signed_out_only(redirect("account_login"))),
    "mfa_index": route(**signed_in(OK)),
    # The code step of a login in progress: without one, back to the login page.
    "mfa_authenticate": route(**signed_out_only(redirect("account_login"))),
    # Confirming with the code needs an authenticator: the others confirm with their password.
    "mfa_reauthenticate": route(**{**signed_in(redirect("account_reauthenticate")), "staff": OK}),
    "mfa_activate_totp": route(**signed_in(REAUTHENTICATE)),
    # Nothing to deactivate without an authenticator (404).
    "mfa_deactivate_totp": route(**{**signed_in(HIDDEN), "staff": REAUTHENTICATE}),
    # No recovery codes were generated here: nothing to show or download (404).
    "mfa_view_recovery_codes": route(**signed_in(HIDDEN)),
    "mfa_generate_recovery_codes": route(**signed_in(REAUTHENTICATE)),
    "mfa_download_recovery_codes": route(**signed_in(HIDDEN)),
    # --- invitations (fabrique.accounts) ---------------------------------------------------------------
    "accounts:invitations": route(**staff_only()),
    "accounts:invite": route(**staff_only()),
    "accounts:resend": route(invitation, method=POST, **staff_only(redirect("accounts:invitations"))),
    "accounts:revoke": route(invitation, **staff_only()),
    "accounts:accept": route(bad_invitation_token, **everyone(GONE)),
    # The admin's own login form would bypass allauth (verified address, two-factor, rate limits).
    "admin_login": route(**everyone(redirect("account_login"))),
}
