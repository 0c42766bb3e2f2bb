"""Accounts (issue 8): allauth's adapter and backend, invitations by Avise staff, TOTP required for staff."""
