"""View decorators shared by the platform's own pages (invitations, spreadsheets)."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from fabrique.roles import is_avise_staff


def staff_only(view: Callable) -> Callable:
    """Anonymous visitors to the login page, signed-in users other than Avise staff: 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_avise_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
