"""Invitation pages: the staff's list under /pilotage/invitations/ (new, resend, revoke), and the invited
person's page under /comptes/invitation/<link>/. Staff pages: anonymous visitors go to the login page,
anyone else gets 403. Writes go through `invitations`."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from fabrique.accounts import invitations
from fabrique.accounts.forms import AcceptInvitationForm, InvitationForm
from fabrique.decorators import staff_only
from fabrique.models import Invitation, invitation_cutoff

INVITATIONS_PER_PAGE = 25
# The status filter of the list: its value in the address and the queryset it selects.
STATUS_FILTERS: dict[str, Callable] = {
    Invitation.Status.PENDING: lambda qs: qs.pending(invitation_cutoff()),
    Invitation.Status.ACCEPTED: lambda qs: qs.accepted(),
    Invitation.Status.EXPIRED: lambda qs: qs.expired(invitation_cutoff()),
    Invitation.Status.REVOKED: lambda qs: qs.revoked(),
}


def base_url(request: HttpRequest) -> str:
    # The links in the e-mails point at the site the staff member is using.
    return request.build_absolute_uri("/")


@require_safe
@staff_only
def invitation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("statut", "")
    queryset = Invitation.objects.for_list()
    if status in STATUS_FILTERS:
        queryset = STATUS_FILTERS[status](queryset)
    else:
        status = ""
    page = Paginator(queryset, INVITATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "status": status,
        "statuses": Invitation.Status.choices,
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
    }
    return render(request, "accounts/invitation_list.html", context)


@staff_only
def invitation_create(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invite(
                invited_by=request.user, base_url=base_url(request), **form.cleaned_data
            )
        except invitations.InvitationRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            if invitation.existing_account:
                message = _(
                    "%(email)s avait déjà un compte : ses nouveaux rôles lui sont ajoutés et un e-mail le "
                    "lui annonce."
                )
            else:
                message = _("Invitation envoyée à %(email)s.")
            messages.success(request, message % {"email": invitation.email})
            return redirect("accounts:invitations")
    return render(
        request, "accounts/invitation_form.html", {"form": form}, status=400 if form.is_bound else 200
    )


@require_POST
@staff_only
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        invitations.resend(invitation=invitation, base_url=base_url(request))
    except invitations.InvitationRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, _("Invitation renvoyée à %(email)s, avec un nouveau lien.") % {"email": invitation.email}
        )
    return redirect("accounts:invitations")


@staff_only
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation, POST revokes."""
    invitation = get_object_or_404(Invitation.objects.for_list(), pk=pk)
    if request.method == "POST":
        try:
            invitations.revoke(invitation=invitation)
        except invitations.InvitationRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                _("L’invitation de %(email)s est annulée : son lien ne fonctionne plus.")
                % {"email": invitation.email},
            )
        return redirect("accounts:invitations")
    return render(request, "accounts/invitation_revoke.html", {"invitation": invitation})


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person's page: choose a password, then be logged in."""
    try:
        invitation = invitations.invitation_for_token(token)
    except invitations.InvitationRefused as refusal:
        return render(request, "accounts/invitation_refused.html", {"refusal": refusal}, status=410)
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user, created = invitations.accept(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except invitations.InvitationRefused as refusal:
            return render(request, "accounts/invitation_refused.html", {"refusal": refusal}, status=410)
        if not created:
            message = _(
                "Votre compte existait déjà : ses nouveaux rôles lui sont ajoutés. Connectez-vous comme "
                "d’habitude."
            )
            messages.success(request, message)
            return redirect("account_login")
        login(request, user, backend="fabrique.accounts.backends.AccountBackend")
        messages.success(request, _("Bienvenue ! Votre compte est prêt."))
        return redirect("projects:workspace")
    context = {"form": form, "invitation": invitation}
    return render(request, "accounts/invitation_accept.html", context, status=400 if form.is_bound else 200)
