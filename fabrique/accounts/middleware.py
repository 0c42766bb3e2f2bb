"""Avise staff must protect their account with an authenticator app (TOTP): until they have activated one,
every page sends them to allauth's activation page. allauth then asks the code at each login."""

from collections.abc import Callable
from functools import cache

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Pages a staff member without TOTP may still reach: activating it (allauth may first ask the password
# again), choosing the language of those pages, leaving, and the files the pages need. The health check
# too: it must answer, and without reading the session's user, while the database is down.
ALLOWED_URL_NAMES = (
    "mfa_activate_totp",
    "account_reauthenticate",
    "set_language",
    "account_logout",
    "health",
)


@cache
def allowed_paths() -> frozenset[str]:
    # Asked on every request: the URLs are the same for the life of the process (no language prefix).
    return frozenset(reverse(name) for name in ALLOWED_URL_NAMES)


def has_totp(user) -> bool:
    flag = getattr(user, "has_totp", None)  # annotated by fabrique.accounts.backends.AccountBackend
    if flag is None:
        # A session opened through another backend: ask the database.
        flag = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user.has_totp = flag
    return flag


class StaffTOTPRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.allowed(request):  # first: no user loaded for these
            return self.get_response(request)
        user = request.user
        if user.is_authenticated and user.is_staff and not has_totp(user):
            messages.warning(
                request,
                _(
                    "L’équipe de l’Avise protège son compte par une double authentification : activez "
                    "une application d’authentification pour continuer."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def allowed(self, request: HttpRequest) -> bool:
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        return request.path in allowed_paths()
