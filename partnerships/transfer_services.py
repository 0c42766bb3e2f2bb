"""Writes of the know-how transfers: propose, update, validate (and publish), publish, unpublish.

Each takes the acting user and checks partnerships.access (PermissionDenied otherwise), validates the
transfer's rules (`transfer_rule_errors`, ValidationError with French messages keyed by field), writes in
one transaction and queues the staff's e-mail only once it is committed."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fabrique.audit import record_versions
from fabrique.models import User
from fabrique.roles import coordinated_structure_ids, is_avise_staff
from fabrique.tasks import send_task_on_commit
from network.models import Structure
from partnerships.access import can_manage, can_propose_transfer
from partnerships.models import Beneficiary, KnowHowTransfer, Organisation
from partnerships.tasks import notify_transfer_proposed
from programmes.models import Programme
from projects.models import Project


@dataclass(frozen=True)
class NewOrganisation:
    """A provider not yet known to the platform, typed by name, kind and city in the proposal form."""

    name: str
    kind: str = Organisation.Kind.OTHER
    city: str = ""


def transfer_rule_errors(
    *, format: str, started_on: dt.date | None, ended_on: dt.date | None, beneficiary_count: int
) -> dict[str, str]:
    """The transfer's rules broken by these values, as {field: French message}; empty when all hold.

    An individual transfer has exactly one beneficiary, a collective one (« visite apprenante ») at least
    two; it cannot end before it starts. The forms call it to show the errors, the services to refuse."""
    errors: dict[str, str] = {}
    if format == KnowHowTransfer.Format.INDIVIDUAL and beneficiary_count != 1:
        errors["beneficiaries"] = _("Un transfert individuel a exactement un bénéficiaire.")
    elif format == KnowHowTransfer.Format.COLLECTIVE and beneficiary_count < 2:
        errors["beneficiaries"] = _(
            "Un transfert collectif (visite apprenante) a au moins deux bénéficiaires."
        )
    if started_on and ended_on and ended_on < started_on:
        errors["ended_on"] = _("Le transfert ne peut pas finir avant d'avoir commencé.")
    return errors


def linkable_projects(user: User) -> QuerySet[Project]:
    """The projects a user may link to a transfer: those of their structures; any project for staff."""
    if is_avise_staff(user):
        return Project.objects.all()
    return Project.objects.filter(structure_id__in=coordinated_structure_ids(user))


def _unique_slug(model: type[KnowHowTransfer] | type[Organisation], text: str, fallback: str) -> str:
    """slugify(text), then -2, -3… until no row uses it (the unique constraint guards races)."""
    base = slugify(text)[:190] or fallback
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _provider(provider: Organisation | None, new_provider: NewOrganisation | None) -> Organisation:
    if (provider is None) == (new_provider is None):
        raise ValidationError(
            {"provider": _("Choisissez une structure apporteuse existante ou nommez-en une nouvelle.")}
        )
    if provider is not None:
        return provider
    organisation = Organisation(
        name=new_provider.name.strip(),
        slug=_unique_slug(Organisation, new_provider.name, "organisation"),
        kind=new_provider.kind,
        city=new_provider.city.strip(),
    )
    organisation.full_clean()
    organisation.save()
    return organisation


def _check_projects(user: User, projects: Iterable[Project]) -> list[Project]:
    projects = list(projects)
    allowed = set(
        linkable_projects(user).filter(pk__in=[p.pk for p in projects]).values_list("pk", flat=True)
    )
    if any(project.pk not in allowed for project in projects):
        raise ValidationError({"projects": _("Vous ne pouvez lier que les projets de vos structures.")})
    return projects


def _write(
    transfer: KnowHowTransfer,
    *,
    user: User,
    structures: Iterable[Structure],
    organisations: Iterable[Organisation],
    projects: Iterable[Project],
) -> KnowHowTransfer:
    """Checks the rules, then saves the transfer with its beneficiaries and projects (replacing them)."""
    structures, organisations = list(structures), list(organisations)
    errors = transfer_rule_errors(
        format=transfer.format,
        started_on=transfer.started_on,
        ended_on=transfer.ended_on,
        beneficiary_count=len(set(structures)) + len(set(organisations)),
    )
    if errors:
        raise ValidationError(errors)
    projects = _check_projects(user, projects)
    transfer.full_clean()
    transfer.save()
    transfer.beneficiaries.all().delete()
    created = Beneficiary.objects.bulk_create(
        [Beneficiary(transfer=transfer, structure=structure) for structure in dict.fromkeys(structures)]
        + [Beneficiary(transfer=transfer, organisation=org) for org in dict.fromkeys(organisations)]
    )
    record_versions(created, change="+", user=user)  # bulk_create sends no signal to the audit trail
    transfer.projects.set(projects)
    return transfer


@transaction.atomic
def propose_transfer(
    *,
    user: User,
    title: str,
    topic: str,
    format: str,
    started_on: dt.date,
    ended_on: dt.date | None = None,
    provider: Organisation | None = None,
    new_provider: NewOrganisation | None = None,
    structures: Iterable[Structure] = (),
    organisations: Iterable[Organisation] = (),
    city: str = "",
    programme: Programme | None = None,
    description: str = "",
    projects: Iterable[Project] = (),
) -> KnowHowTransfer:
    """Records a transfer proposed by `user` (a coordinator or staff): status « proposé », unpublished,
    waiting for the staff's validation. The provider is an existing organisation or a new one created here.

    PermissionDenied if the user may not propose; ValidationError (keyed by field) if a rule is broken —
    then nothing is written, not even the new provider. A coordinator's proposal e-mails the staff."""
    if not can_propose_transfer(user):
        raise PermissionDenied(_("Vous ne pouvez pas proposer de transfert de savoir-faire."))
    transfer = KnowHowTransfer(
        title=title.strip(),
        slug=_unique_slug(KnowHowTransfer, title, "transfert"),
        topic=topic,
        format=format,
        status=KnowHowTransfer.Status.PROPOSED,
        started_on=started_on,
        ended_on=ended_on,
        city=city.strip(),
        programme=programme,
        description=description.strip(),
        is_published=False,
        proposed_by=user,
    )
    transfer.provider = _provider(provider, new_provider)
    _write(transfer, user=user, structures=structures, organisations=organisations, projects=projects)
    if not is_avise_staff(user):
        send_task_on_commit(notify_transfer_proposed, transfer.pk)
    return transfer


# What `update_transfer` may change; the status and the publication change only through validate/publish.
EDITABLE_FIELDS = (
    "title",
    "topic",
    "format",
    "started_on",
    "ended_on",
    "city",
    "programme",
    "description",
    "testimonial",
    "outcome",
)


@transaction.atomic
def update_transfer(
    *,
    user: User,
    transfer: KnowHowTransfer,
    provider: Organisation | None = None,
    new_provider: NewOrganisation | None = None,
    structures: Iterable[Structure] = (),
    organisations: Iterable[Organisation] = (),
    projects: Iterable[Project] = (),
    **fields: Any,
) -> KnowHowTransfer:
    """Staff edit any transfer: the fields of EDITABLE_FIELDS, the provider, the beneficiaries (replaced
    by those given) and the linked projects. The slug stays, so links keep working."""
    unknown = set(fields).difference(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"update_transfer cannot change {', '.join(sorted(unknown))}")
    if not can_manage(user):
        raise PermissionDenied(_("Seule l'équipe de l'Avise peut modifier un transfert."))
    for name, value in fields.items():
        setattr(transfer, name, value.strip() if isinstance(value, str) else value)
    transfer.provider = _provider(provider, new_provider)
    return _write(transfer, user=user, structures=structures, organisations=organisations, projects=projects)


def _require_manage(user: User) -> None:
    if not can_manage(user):
        raise PermissionDenied(_("Seule l'équipe de l'Avise peut valider ou publier un transfert."))


@transaction.atomic
def validate_transfer(*, user: User, transfer: KnowHowTransfer) -> KnowHowTransfer:
    """Staff validate a proposed transfer and publish it at once (a validated one is published again)."""
    _require_manage(user)
    transfer.status = KnowHowTransfer.Status.VALIDATED
    transfer.is_published = True
    transfer.save(update_fields=["status", "is_published", "updated_at"])
    return transfer


@transaction.atomic
def publish_transfer(*, user: User, transfer: KnowHowTransfer) -> KnowHowTransfer:
    """Shows a validated transfer to everyone. A transfer still « proposé » is refused (ValidationError):
    only what the staff validated is published (also a check constraint of the table)."""
    _require_manage(user)
    if transfer.status != KnowHowTransfer.Status.VALIDATED:
        raise ValidationError(_("Un transfert doit être validé avant d'être publié."))
    transfer.is_published = True
    transfer.save(update_fields=["is_published", "updated_at"])
    return transfer


@transaction.atomic
def unpublish_transfer(*, user: User, transfer: KnowHowTransfer) -> KnowHowTransfer:
    """Takes the transfer off the public pages; it stays validated and can be published again."""
    _require_manage(user)
    transfer.is_published = False
    transfer.save(update_fields=["is_published", "updated_at"])
    return transfer
