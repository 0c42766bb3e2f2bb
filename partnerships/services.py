"""Writes of the partnerships, their agreements and the missions: each one atomic and allowed to the Avise
staff only (partnerships.access.can_manage), whoever calls it.

The staff pages validate with partnerships.staff_forms and hand the bound, valid forms and formsets over:
the parent and its rows are saved together or not at all."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import BaseInlineFormSet, ModelForm

from fabrique.roles import AnyUser
from partnerships.access import can_manage
from partnerships.models import Agreement, Mission, Objective, Partnership


def ensure_can_manage(user: AnyUser) -> None:
    if not can_manage(user):
        raise PermissionDenied


def _save_with_rows(form: ModelForm, formsets: Sequence[BaseInlineFormSet]):
    instance = form.save()
    for formset in formsets:
        formset.instance = instance
        formset.save()
    return instance


@transaction.atomic
def save_partnership(
    *, user: AnyUser, form: ModelForm, formsets: Sequence[BaseInlineFormSet] = ()
) -> Partnership:
    """Create or update a partnership with its parties and supports (valid form and formsets)."""
    ensure_can_manage(user)
    return _save_with_rows(form, formsets)


@transaction.atomic
def save_agreement(*, user: AnyUser, form: ModelForm) -> Agreement:
    """Create or update an agreement (its partnership is set on the form's instance by the caller)."""
    ensure_can_manage(user)
    return form.save()


@transaction.atomic
def save_mission(*, user: AnyUser, form: ModelForm, formsets: Sequence[BaseInlineFormSet] = ()) -> Mission:
    """Create or update a mission with its objectives, visits and participants (valid form and formsets)."""
    ensure_can_manage(user)
    return _save_with_rows(form, formsets)


@transaction.atomic
def delete_mission(*, user: AnyUser, mission: Mission) -> None:
    """Delete a mission with its objectives, visits and participants (cascade)."""
    ensure_can_manage(user)
    mission.delete()


@transaction.atomic
def set_objective_outcome(
    *, user: AnyUser, objective: Objective, outcome: str, outcome_note: str
) -> Objective:
    """Record how far a mission's objective was reached."""
    ensure_can_manage(user)
    objective.outcome = outcome
    objective.outcome_note = outcome_note
    objective.full_clean()
    objective.save(update_fields=["outcome", "outcome_note"])
    return objective
