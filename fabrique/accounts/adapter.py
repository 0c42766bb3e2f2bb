from allauth.account.adapter import DefaultAccountAdapter


class ClosedSignupAdapter(DefaultAccountAdapter):
    """Accounts are created by Avise staff (invitations): nobody signs up on their own."""

    def is_open_for_signup(self, request) -> bool:
        return False
