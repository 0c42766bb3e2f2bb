"""The project forms validate what the user typed; the services then write it."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone

from projects.forms import (
    DocumentForm,
    HolderForm,
    IndicatorForm,
    MoveForm,
    ProjectCreateForm,
    ProjectEditForm,
)
from projects.models import Project
from tests import factories

Stage = Project.Stage


@pytest.fixture
def territory(db):
    return factories.TerritoryFactory(name="Pays de Guingamp")


def create_data(structure, territory, **changes) -> dict:
    return {
        "structure": structure.pk,
        "title": "Épicerie solidaire de Guingamp",
        "territory": territory.pk,
        "sector": "food",
        **changes,
    }


# --- ProjectCreateForm ------------------------------------------------------------------------------------


def test_create_form_offers_staff_every_structure(staff, tag22, atis):
    form = ProjectCreateForm(user=staff)

    assert list(form.fields["structure"].queryset) == [atis, tag22]
    assert form.single_structure is None
    assert not form.fields["structure"].widget.is_hidden


def test_create_form_fixes_the_structure_of_a_coordinator_of_a_single_structure(coordinator, tag22):
    form = ProjectCreateForm(user=coordinator)

    assert list(form.fields["structure"].queryset) == [tag22]
    assert form.fields["structure"].widget.is_hidden
    assert form.fields["structure"].initial == tag22.pk
    assert form.single_structure == tag22


def test_create_form_lets_a_coordinator_of_two_structures_choose(coordinator, tag22):
    tag29 = factories.StructureFactory(name="TAg29", slug="tag29")
    factories.CoordinatorFactory(user=coordinator, structure=tag29)

    form = ProjectCreateForm(user=fresh_user(coordinator))

    assert list(form.fields["structure"].queryset) == [tag22, tag29]
    assert not form.fields["structure"].widget.is_hidden


def fresh_user(user):
    """A copy of the user without the cached role lookups."""
    return type(user).objects.get(pk=user.pk)


def test_create_form_refuses_a_structure_the_coordinator_does_not_run(coordinator, atis, territory):
    form = ProjectCreateForm(create_data(atis, territory), user=coordinator)

    assert not form.is_valid()
    assert "structure" in form.errors


def test_create_form_accepts_the_coordinators_structure_and_gives_what_the_service_takes(
    coordinator, tag22, territory
):
    form = ProjectCreateForm(create_data(tag22, territory, need="Pas d'épicerie."), user=coordinator)

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "structure": tag22,
        "title": "Épicerie solidaire de Guingamp",
        "territory": territory,
        "sector": "food",
        "programme": None,
        "need": "Pas d'épicerie.",
    }


def test_create_form_requires_title_territory_and_sector(coordinator, tag22):
    form = ProjectCreateForm({"structure": tag22.pk}, user=coordinator)

    assert not form.is_valid()
    assert set(form.errors) == {"title", "territory", "sector"}


def test_create_partial_posts_to_the_create_url_with_csrf_and_labels(rf, coordinator):
    request = rf.get("/espace/")
    request.user = coordinator
    form = ProjectCreateForm(user=coordinator)

    html = render_to_string("projects/_project_create_form.html", {"form": form}, request=request)

    assert 'action="/projets/nouveau/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_title">' in html
    assert "Structure porteuse\u00a0: TAg22" in html


# --- ProjectEditForm --------------------------------------------------------------------------------------


def test_edit_form_gives_only_the_changed_fields(tag22, coordinator):
    project = factories.ProjectFactory(structure=tag22, study_conclusion="pending")
    data = {
        "title": project.title,
        "territory": project.territory_id,
        "sector": project.sector,
        "need": project.need,
        "study_conclusion": "favourable",
        "study_summary": "Une demande forte.",
    }

    form = ProjectEditForm(data, instance=project, user=coordinator)

    assert form.is_valid(), form.errors
    assert form.changes() == {"study_conclusion": "favourable", "study_summary": "Une demande forte."}
    assert project.study_conclusion == "pending"  # the form does not touch the instance: the service does


def test_edit_form_refuses_a_study_ending_before_it_starts(tag22, coordinator):
    project = factories.ProjectFactory(structure=tag22)
    data = {
        "title": project.title,
        "territory": project.territory_id,
        "sector": project.sector,
        "study_conclusion": "pending",
        "study_started_on": "2025-03-01",
        "study_completed_on": "2025-02-01",
    }

    form = ProjectEditForm(data, instance=project, user=coordinator)

    assert not form.is_valid()
    assert form.errors["study_completed_on"] == [
        "L'étude d'opportunité ne peut pas finir avant d'avoir commencé."
    ]


def programme_names(form) -> list[str]:
    return [programme.name for programme in form.fields["programme"].queryset]


def test_programme_choice_hides_other_structures_unpublished_programmes(coordinator, tag22, atis):
    factories.ProgrammeFactory(name="Programme public", is_published=True)
    ours = factories.ProgrammeFactory(name="Brouillon de TAg22", is_published=False)
    factories.ParticipationFactory(programme=ours, structure=tag22)
    theirs = factories.ProgrammeFactory(name="Brouillon d'ATIS", is_published=False)
    factories.ParticipationFactory(programme=theirs, structure=atis)
    project = factories.ProjectFactory(structure=tag22)

    assert programme_names(ProjectCreateForm(user=coordinator)) == ["Brouillon de TAg22", "Programme public"]
    assert programme_names(ProjectEditForm(instance=project, user=coordinator)) == [
        "Brouillon de TAg22",
        "Programme public",
    ]


def test_programme_choice_keeps_the_projects_programme_and_offers_staff_every_one(coordinator, staff, tag22):
    kept = factories.ProgrammeFactory(name="Brouillon sans TAg22", is_published=False)
    other = factories.ProgrammeFactory(name="Autre brouillon", is_published=False)
    project = factories.ProjectFactory(structure=tag22, programme=kept)

    assert programme_names(ProjectEditForm(instance=project, user=coordinator)) == ["Brouillon sans TAg22"]
    assert set(programme_names(ProjectEditForm(instance=project, user=staff))) == {kept.name, other.name}


def test_edit_form_never_offers_stage_publication_or_structure():
    assert not {"stage", "is_published", "published_at", "structure", "abandon_reason"} & set(
        ProjectEditForm.base_fields
    )


# --- MoveForm ---------------------------------------------------------------------------------------------


def test_move_form_needs_a_reason_to_abandon():
    form = MoveForm({"to_stage": Stage.ABANDONED, "expected_stage": Stage.DETECTION, "abandon_reason": "  "})

    assert not form.is_valid()
    assert form.errors["abandon_reason"] == ["Indiquez le motif de l'abandon."]


def test_move_form_carries_the_stage_the_user_saw():
    form = MoveForm({"to_stage": Stage.INVENTION})

    assert not form.is_valid()
    assert "expected_stage" in form.errors


def test_move_form_refuses_an_unknown_stage():
    form = MoveForm({"to_stage": "published", "expected_stage": Stage.DETECTION})

    assert not form.is_valid()
    assert "to_stage" in form.errors


def test_move_form_refuses_a_start_date_in_the_future():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = MoveForm({"to_stage": Stage.LAUNCHED, "expected_stage": Stage.LAUNCH, "started_on": tomorrow})

    assert not form.is_valid()
    assert form.errors["started_on"] == ["La date de démarrage ne peut pas être dans le futur."]


def test_move_form_gives_what_move_project_takes():
    form = MoveForm(
        {
            "to_stage": Stage.LAUNCHED,
            "expected_stage": Stage.LAUNCH,
            "started_on": "2025-09-01",
            "note": "Ouvert.",
        }
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "to_stage": Stage.LAUNCHED,
        "expected_stage": Stage.LAUNCH,
        "note": "Ouvert.",
        "abandon_reason": "",
        "started_on": dt.date(2025, 9, 1),
    }


def test_move_form_drops_a_start_date_or_reason_sent_with_another_move():
    form = MoveForm(
        {
            "to_stage": Stage.INVENTION,
            "expected_stage": Stage.DETECTION,
            "started_on": "2025-09-01",
            "abandon_reason": "Doublon.",
        }
    )

    assert form.is_valid(), form.errors
    assert (form.cleaned_data["started_on"], form.cleaned_data["abandon_reason"]) == (None, "")


# --- Holder, indicator, document --------------------------------------------------------------------------


def test_holder_form_refuses_a_date_in_the_future():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = HolderForm({"holder-holder_name": "Association Roule Ma Poule", "holder-assigned_on": tomorrow})

    assert not form.is_valid()
    assert form.errors["assigned_on"] == ["La date de désignation du porteur ne peut pas être dans le futur."]


def test_holder_form_needs_a_name_and_defaults_the_date_to_today():
    form = HolderForm({"holder-assigned_on": "2025-03-01"})

    assert not form.is_valid()
    assert "holder_name" in form.errors
    assert HolderForm().fields["assigned_on"].initial() == timezone.localdate()


def test_indicator_form_refuses_a_negative_value():
    form = IndicatorForm(
        {"indicator-kind": "jobs_fte", "indicator-value": "-2", "indicator-measured_on": "2025-06-30"}
    )

    assert not form.is_valid()
    assert "value" in form.errors


def test_indicator_form_refuses_an_unknown_kind():
    form = IndicatorForm(
        {"indicator-kind": "likes", "indicator-value": "2", "indicator-measured_on": "2025-06-30"}
    )

    assert not form.is_valid()
    assert "kind" in form.errors


def test_document_form_needs_a_file_and_states_the_maximum_size(settings):
    settings.PROJECT_DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
    form = DocumentForm({"document-title": "Étude", "document-kind": "study"})

    assert not form.is_valid()
    assert "file" in form.errors
    assert "5,0\u00a0Mio au plus" in str(form.fields["file"].help_text)


def test_document_form_accepts_a_title_kind_and_file():
    upload = SimpleUploadedFile("etude.pdf", b"%PDF-1.4\n%%EOF\n")
    form = DocumentForm({"document-title": "Étude", "document-kind": "study"}, {"document-file": upload})

    assert form.is_valid(), form.errors


def test_forms_sharing_the_project_page_have_distinct_field_ids():
    ids = [field.auto_id for form in (HolderForm(), IndicatorForm(), DocumentForm()) for field in form]

    assert len(ids) == len(set(ids))
