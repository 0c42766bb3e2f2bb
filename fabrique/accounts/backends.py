"""The authentication backend: allauth's (login by e-mail), loading with the user whether they have an
authenticator app, so that the staff's TOTP requirement (middleware.py) costs no query per request."""

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef

from fabrique.models import User


def with_totp_flag(users):
    """Annotates `has_totp`: True when the user has activated an authenticator app."""
    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return users.annotate(has_totp=Exists(totp))


class AccountBackend(AuthenticationBackend):
    def get_user(self, user_id):
        # The user of every logged-in request: one query, the EXISTS rides along.
        user = with_totp_flag(User._default_manager.all()).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
