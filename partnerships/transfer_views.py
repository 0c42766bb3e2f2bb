"""The know-how transfer pages: the list /transferts/ with its filters, a transfer's page, the proposal form
(coordinators, staff), the staff's edit form and their validate / unpublish confirmations.

Access through partnerships.access (404 for what the user may not see, 403 for what they may see but not
do), writes through partnerships.transfer_services."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_filters.views import FilterView

from fabrique.roles import AnyUser
from network.selectors import PUBLIC_PHASES
from partnerships import transfer_services as services
from partnerships.access import can_manage, can_propose_transfer, get_visible_transfer, visible_transfers
from partnerships.models import Beneficiary, KnowHowTransfer
from partnerships.transfer_filters import TransferFilterSet
from partnerships.transfer_forms import TransferForm
from projects.access import visible_projects

PAGE_SIZE = 20


def with_beneficiaries(transfers: QuerySet[KnowHowTransfer]) -> QuerySet[KnowHowTransfer]:
    """`transfers` with their provider, programme and beneficiaries (structure or organisation): one query
    for the transfers, one for all their beneficiaries, whatever their number."""
    beneficiaries = Beneficiary.objects.select_related("structure", "organisation").order_by("pk")
    return transfers.select_related("provider", "programme").prefetch_related(
        Prefetch("beneficiaries", queryset=beneficiaries)
    )


@dataclass(frozen=True)
class BeneficiaryRow:
    name: str
    url: str | None  # the structure's public page, when it has one


def beneficiary_rows(transfer: KnowHowTransfer) -> list[BeneficiaryRow]:
    rows = []
    for beneficiary in transfer.beneficiaries.all():
        structure = beneficiary.structure
        if structure is None:
            rows.append(BeneficiaryRow(beneficiary.organisation.name, None))
        else:
            public = structure.phase in PUBLIC_PHASES
            url = reverse("network:detail", args=[structure.slug]) if public else None
            rows.append(BeneficiaryRow(structure.name, url))
    return rows


def status_label(transfer: KnowHowTransfer) -> str:
    if transfer.status == KnowHowTransfer.Status.PROPOSED:
        return _("Proposé — en attente de validation par l'Avise")
    if not transfer.is_published:
        return _("Validé — non publié")
    return _("Validé et publié")


class TransferListView(FilterView):
    filterset_class = TransferFilterSet
    template_name = "partnerships/transfer_list.html"
    paginate_by = PAGE_SIZE
    # A filter left invalid (an unknown year) is shown on the form and ignored, not a blank list.
    strict = False

    def get_queryset(self) -> QuerySet[KnowHowTransfer]:
        transfers = visible_transfers(self.request.user).order_by("-started_on", "title", "pk")
        return with_beneficiaries(transfers)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_propose"] = can_propose_transfer(self.request.user)
        return context


def page_transfer(user: AnyUser, slug: str) -> KnowHowTransfer:
    """The transfer `slug` if `user` may see it (else 404), with what its page shows: two queries."""
    return get_object_or_404(with_beneficiaries(visible_transfers(user)), slug=slug)


@require_safe
def transfer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    transfer = page_transfer(request.user, slug)
    manage = can_manage(request.user)
    context = {
        "transfer": transfer,
        "beneficiaries": beneficiary_rows(transfer),
        "projects": visible_projects(request.user).filter(transfers=transfer).order_by("title", "pk"),
        "status": status_label(transfer)
        if manage or (transfer.proposed_by_id and transfer.proposed_by_id == request.user.pk)
        else None,
        "can_manage": manage,
    }
    return render(request, "partnerships/transfer_detail.html", context)


def detail_url(transfer: KnowHowTransfer) -> str:
    return reverse("partnerships:transfer_detail", args=[transfer.slug])


def add_errors(form: TransferForm, error: ValidationError) -> None:
    """A service's ValidationError onto the form: on the field it names, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = "structures" if name == "beneficiaries" else name
        form.add_error(target if target in form.fields else None, errors)


@login_required
def transfer_propose(request: HttpRequest) -> HttpResponse:
    if not can_propose_transfer(request.user):
        raise PermissionDenied
    # The testimonial and outcome come once the transfer took place: the staff add them when editing.
    form = TransferForm(request.POST or None, user=request.user, with_results=False)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.propose_transfer(user=request.user, **form.service_arguments())
        except ValidationError as error:
            add_errors(form, error)
        else:
            if can_manage(request.user):
                done = _("Le transfert est enregistré. Validez-le pour le publier.")
            else:
                done = _(
                    "Le transfert a été proposé. Il sera publié une fois validé par l'équipe de l'Avise."
                )
            messages.success(request, done)
            return redirect(detail_url(transfer))
    status = 400 if form.is_bound else 200
    return render(request, "partnerships/transfer_form.html", {"form": form, "transfer": None}, status=status)


def managed_transfer(request: HttpRequest, slug: str) -> KnowHowTransfer:
    """The transfer if the user may manage it: 404 if they cannot even see it, 403 if they only read it."""
    transfer = get_visible_transfer(request.user, slug)
    if not can_manage(request.user):
        raise PermissionDenied
    return transfer


@login_required
def transfer_edit(request: HttpRequest, slug: str) -> HttpResponse:
    transfer = managed_transfer(request, slug)
    form = TransferForm(request.POST or None, user=request.user, transfer=transfer, with_results=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_transfer(user=request.user, transfer=transfer, **form.service_arguments())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Les modifications du transfert ont été enregistrées."))
            return redirect(detail_url(transfer))
    status = 400 if form.is_bound else 200
    context = {"form": form, "transfer": transfer}
    return render(request, "partnerships/transfer_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def transfer_validate(request: HttpRequest, slug: str) -> HttpResponse:
    """GET asks for confirmation; the POST of that page validates and publishes the transfer."""
    transfer = managed_transfer(request, slug)
    if request.method == "POST":
        services.validate_transfer(user=request.user, transfer=transfer)
        messages.success(request, _("Le transfert est validé et publié."))
        return redirect(detail_url(transfer))
    return render(request, "partnerships/transfer_confirm.html", {"transfer": transfer, "action": "validate"})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def transfer_unpublish(request: HttpRequest, slug: str) -> HttpResponse:
    """GET asks for confirmation; the POST of that page takes the transfer off the public pages."""
    transfer = managed_transfer(request, slug)
    if request.method == "POST":
        services.unpublish_transfer(user=request.user, transfer=transfer)
        messages.success(request, _("Le transfert n'est plus publié."))
        return redirect(detail_url(transfer))
    return render(
        request, "partnerships/transfer_confirm.html", {"transfer": transfer, "action": "unpublish"}
    )
