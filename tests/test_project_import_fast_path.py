"""The fast path of a project import (issue 7, benchmarks): new rows validated in Python, without
Django's per-row validation queries, and inserted in batches; the file still imported whole or not at all,
with the same French messages."""

import datetime as dt

import pytest
import tablib
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CheckConstraint, Q
from django.test.utils import CaptureQueriesContext
from import_export import resources as resources_module
from import_export.results import RowResult

from network.resources import NaturalKeyLoader
from projects.models import Project
from projects.resources import ProjectResource, Unsupported, holds
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "Titre,Slug,Structure,Territoire,Étape,Début de l'étude,Fin de l'étude,Motif d'abandon,Partenaires"


@pytest.fixture
def related_rows():
    factories.StructureFactory(name="TAg35", slug="tag35")
    factories.TerritoryFactory(name="Retiers", slug="retiers")
    factories.PartnerFactory(name="Fondation PSA", slug="fondation-psa")
    factories.PartnerFactory(name="FNCUMA", slug="fnc-cuma")


def csv(*lines: str) -> tablib.Dataset:
    return tablib.Dataset().load("\n".join((HEADER, *lines)) + "\n", format="csv")


def new_row(n: int, stage: str = "Inventer", reason: str = "", started: str = "", completed: str = "") -> str:
    return (
        f"Projet {n},projet-{n},tag35,retiers,{stage},{started},{completed},{reason},fondation-psa|fnc-cuma"
    )


def test_new_projects_are_created_with_their_partners_and_their_creator(related_rows, staff):
    result = ProjectResource().import_data(csv(*(new_row(n) for n in range(3))), user=staff)

    assert result.totals[RowResult.IMPORT_TYPE_NEW] == 3
    assert not result.has_errors() and not result.has_validation_errors()
    for project in Project.objects.prefetch_related("partners"):
        assert sorted(partner.slug for partner in project.partners.all()) == ["fnc-cuma", "fondation-psa"]
        assert project.created_by == staff
        assert project.stage == Project.Stage.INVENTION


def test_a_file_mixing_new_and_existing_rows_creates_and_updates_them(related_rows):
    factories.ProjectFactory(slug="projet-0", title="Ancien titre", stage=Project.Stage.INVENTION)

    result = ProjectResource().import_data(csv(new_row(0), new_row(1)))

    assert (result.totals[RowResult.IMPORT_TYPE_UPDATE], result.totals[RowResult.IMPORT_TYPE_NEW]) == (1, 1)
    assert Project.objects.get(slug="projet-0").title == "Projet 0"
    assert Project.objects.get(slug="projet-1").partners.count() == 2


def test_a_new_abandoned_project_without_reason_is_refused_on_its_row_and_nothing_is_written(related_rows):
    result = ProjectResource().import_data(csv(new_row(0), new_row(1, stage="Abandonné")))

    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert invalid.non_field_specific_errors == ["Un projet abandonné doit indiquer le motif de l'abandon."]
    assert not Project.objects.exists()


def test_a_new_project_whose_study_ends_before_it_starts_is_refused(related_rows):
    result = ProjectResource().import_data(csv(new_row(0, started="2025-03-01", completed="2025-01-01")))

    [invalid] = result.invalid_rows
    assert invalid.non_field_specific_errors == [
        "L'étude d'opportunité ne peut pas finir avant d'avoir commencé."
    ]
    assert not Project.objects.exists()


def test_a_dry_run_of_new_projects_writes_nothing(related_rows):
    result = ProjectResource().import_data(csv(new_row(0), new_row(1)), dry_run=True)

    assert result.totals[RowResult.IMPORT_TYPE_NEW] == 2
    assert not Project.objects.exists()


def test_new_rows_cost_no_query_of_their_own(related_rows):
    def queries(rows: int) -> int:
        with CaptureQueriesContext(connection) as context:
            result = ProjectResource().import_data(csv(*(new_row(n) for n in range(rows))))
        assert result.totals[RowResult.IMPORT_TYPE_NEW] == rows
        Project.objects.all().delete()
        return len(context.captured_queries)

    # The transaction, the file's slugs (instance loader), the structures, territories and partners
    # (once each), then one INSERT of the projects, one of their first versions (audit trail, copied from
    # the projects by INSERT … SELECT) and one of their partner links: the same for 1 and 40.
    assert queries(1) == queries(40)


def test_new_rows_are_copied_for_the_diff_only_in_the_preview(related_rows, monkeypatch):
    copies = []
    original_deepcopy = resources_module.deepcopy

    def counting_deepcopy(value, *args):
        copies.append(type(value).__name__)
        return original_deepcopy(value, *args)

    monkeypatch.setattr(resources_module, "deepcopy", counting_deepcopy)
    factories.ProjectFactory(slug="projet-0", stage=Project.Stage.INVENTION)
    rows = csv(new_row(0), new_row(1), new_row(2))

    preview = ProjectResource().import_data(rows, dry_run=True)
    assert copies.count("Project") == 3  # the preview shows a diff for every row
    assert [row.diff is not None for row in preview.rows] == [True, True, True]
    copies.clear()

    result = ProjectResource().import_data(rows)

    assert copies.count("Project") == 1  # the existing row, for its « unchanged » check; new rows never
    assert (result.totals[RowResult.IMPORT_TYPE_UPDATE], result.totals[RowResult.IMPORT_TYPE_NEW]) == (1, 2)
    assert ProjectResource._meta.skip_diff is False  # the per-row switch stays in the import's own options


def test_a_slug_created_meanwhile_refuses_the_file_with_a_french_message(related_rows, monkeypatch):
    factories.ProjectFactory(slug="projet-1", title="Créé entre-temps")
    # Another import created « projet-1 » after this one looked the file's slugs up.
    monkeypatch.setattr(NaturalKeyLoader, "get_instance", lambda self, row: None)

    result = ProjectResource().import_data(csv(new_row(0), new_row(1)))

    [error] = result.base_errors
    assert str(error.error).startswith(
        "La base de données a refusé les nouvelles lignes, rien n'a été enregistré"
    )
    assert list(Project.objects.values_list("slug", flat=True)) == ["projet-1"]


# --- The check constraints evaluated in Python -------------------------------------------------------------


def project(**values) -> Project:
    defaults = {"stage": Project.Stage.DETECTION, "sector": Project.Sector.OTHER, "is_published": False}
    return Project(**{**defaults, **values})


CASES = [
    project(),
    project(stage=Project.Stage.ABANDONED),
    project(stage=Project.Stage.ABANDONED, abandon_reason="Pas de porteur."),
    project(stage=Project.Stage.LAUNCHED),
    project(stage=Project.Stage.LAUNCHED, started_on=dt.date(2025, 1, 1)),
    project(study_started_on=dt.date(2025, 3, 1), study_completed_on=dt.date(2025, 1, 1)),
    project(study_started_on=dt.date(2025, 1, 1), study_completed_on=dt.date(2025, 3, 1)),
    project(study_completed_on=dt.date(2025, 1, 1)),
    project(is_published=True),
    project(is_published=True, published_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),
    project(stage="unknown"),
]


@pytest.mark.parametrize("instance", CASES)
def test_every_project_constraint_evaluated_in_python_agrees_with_its_database_query(instance):
    for constraint in Project._meta.constraints:
        try:
            constraint.validate(Project, instance)
            accepted = True
        except ValidationError:
            accepted = False
        assert (holds(constraint.condition, instance) is not False) == accepted, constraint.name


def test_a_comparison_with_an_empty_date_is_unknown_which_a_check_accepts():
    condition = Q(study_completed_on__gte=dt.date(2025, 1, 1))

    assert holds(condition, project()) is None
    assert holds(~condition, project()) is None


def test_a_condition_beyond_simple_lookups_is_left_to_the_database():
    constraint = CheckConstraint(condition=Q(title__icontains="x"), name="any")

    with pytest.raises(Unsupported):
        holds(constraint.condition, project(title="x"))
