"""Spreadsheet import and export of missions and know-how transfers: French headers, local times with their
zone, objectives and beneficiaries a person can edit in one cell, whole-file validation."""

import datetime as dt

import pytest
import tablib

from partnerships.models import Beneficiary, KnowHowTransfer, Mission, Objective, Organisation, Participant
from partnerships.resources import KnowHowTransferResource, MissionResource
from tests import factories

pytestmark = pytest.mark.django_db


def csv(text: str) -> tablib.Dataset:
    return tablib.Dataset().load(text.strip() + "\n", format="csv")


def through_xlsx(dataset: tablib.Dataset) -> tablib.Dataset:
    return tablib.Dataset().load(dataset.export("xlsx"), format="xlsx")


def mission_snapshot() -> list[tuple]:
    return [
        (
            m.slug,
            m.title,
            m.partnership.slug if m.partnership else None,
            m.kind,
            m.direction,
            m.timezone,
            m.starts_at,
            m.ends_at,
            m.cities,
            m.is_published,
            [(o.text, o.outcome, o.outcome_note) for o in m.objectives.all()],
            sorted(
                ((v.structure_id, v.organisation_id, v.city, v.visited_on, v.note) for v in m.visits.all()),
                key=repr,
            ),
            sorted(
                ((p.name, p.role, p.structure_id, p.organisation_id) for p in m.participants.all()), key=repr
            ),
            sorted(p.slug for p in m.projects.all()),
        )
        for m in Mission.objects.order_by("slug")
    ]


def transfer_snapshot() -> list[tuple]:
    return [
        (
            t.slug,
            t.title,
            t.provider.slug,
            t.topic,
            t.format,
            t.status,
            t.started_on,
            t.ended_on,
            t.programme.slug if t.programme else None,
            t.testimonial,
            t.is_published,
            sorted(
                (b.structure.slug if b.structure else "", b.organisation.slug if b.organisation else "")
                for b in t.beneficiaries.all()
            ),
        )
        for t in KnowHowTransfer.objects.order_by("slug")
    ]


@pytest.fixture
def missions(tag22):
    partnership = factories.PartnershipFactory(slug="cereso-ptce-sud-aquitaine")
    delegation = factories.MissionFactory(
        slug="delegation-fabriques-quebec-2026",
        partnership=partnership,
        kind=Mission.Kind.DELEGATION,
        direction=Mission.Direction.FR_TO_QC,
        timezone=Mission.TimeZone.TORONTO,
        starts_at=dt.datetime(2025, 6, 3, 0, 0, tzinfo=dt.UTC),  # 2 June 20:00 in Toronto
        ends_at=dt.datetime(2025, 6, 6, 21, 0, tzinfo=dt.UTC),
        cities="Québec, Montréal",
    )
    factories.ObjectiveFactory(mission=delegation, text="Observer la méthode", outcome="achieved", position=0)
    factories.ObjectiveFactory(
        mission=delegation,
        text="S'ouvrir à d'autres partenariats",
        outcome="partly",
        outcome_note="À suivre",
        position=1,
    )
    delegation.projects.set([factories.ProjectFactory(structure=tag22, slug="garage-solidaire-tag22")])
    reseau = factories.OrganisationFactory(
        slug="reseau-poles-quebec", name="Réseau des pôles d'économie sociale"
    )
    factories.VisitFactory(
        mission=delegation, organisation=reseau, city="Québec", visited_on=dt.date(2025, 6, 3), note="Accueil"
    )
    factories.VisitFactory(mission=delegation, organisation=None, structure=tag22, city="Saint-Brieuc")
    Participant.objects.create(
        mission=delegation, name="Léa Morvan", role="Chargée de mission", structure=tag22
    )
    Participant.objects.create(mission=delegation, name="Paul Gagnon", organisation=reseau)
    Participant.objects.create(mission=delegation, name="Anne Roy")
    factories.MissionFactory(slug="mission-cereso-tarnos-2023", partnership=None)
    return [delegation]


@pytest.fixture
def transfers(tag22):
    programme = factories.ProgrammeFactory(slug="territoires-french-impact")
    ecossolies = factories.OrganisationFactory(slug="les-ecossolies", country="FR")
    collective = factories.KnowHowTransferFactory(
        slug="visite-apprenante-ecossolies-2020",
        provider=ecossolies,
        format=KnowHowTransfer.Format.COLLECTIVE,
        status=KnowHowTransfer.Status.VALIDATED,
        is_published=True,
        started_on=dt.date(2020, 10, 23),
        ended_on=dt.date(2020, 10, 23),
        programme=programme,
        testimonial="« Un regard extérieur précieux. »",
    )
    Beneficiary.objects.create(transfer=collective, structure=tag22)
    Beneficiary.objects.create(
        transfer=collective, organisation=factories.OrganisationFactory(slug="figeacteurs")
    )
    factories.BeneficiaryFactory(transfer=factories.KnowHowTransferFactory(slug="grap-coopilote"))
    return [collective]


# --- Missions ----------------------------------------------------------------------------------------


def test_mission_export_writes_local_times_with_their_zone_and_objectives_as_lines(missions):
    dataset = MissionResource().export(queryset=Mission.objects.filter(slug=missions[0].slug))
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["Fuseau horaire"] == "America/Toronto"
    assert row["Début (heure locale)"] == "2025-06-02 20:00"
    assert row["Partenariat"] == "cereso-ptce-sud-aquitaine"
    assert row["Objectifs"] == (
        "Observer la méthode | Atteint\nS'ouvrir à d'autres partenariats | Partiellement atteint | À suivre"
    )
    assert row["Projets"] == "garage-solidaire-tag22"
    assert row["Visites"].splitlines() == [
        "reseau-poles-quebec | Québec | 2025-06-03 | Accueil",
        "s:tag22 | Saint-Brieuc",
    ] or row["Visites"].splitlines() == [  # an undated visit comes first on SQLite, last on PostgreSQL
        "s:tag22 | Saint-Brieuc",
        "reseau-poles-quebec | Québec | 2025-06-03 | Accueil",
    ]
    assert row["Participants"].splitlines() == [
        "Anne Roy",
        "Léa Morvan | Chargée de mission | s:tag22",
        "Paul Gagnon |  | reseau-poles-quebec",
    ]


@pytest.mark.parametrize("through", [lambda d: d, through_xlsx], ids=["csv", "xlsx"])
def test_missions_exported_then_imported_into_an_emptied_database_come_back_the_same(missions, through):
    before = mission_snapshot()
    dataset = through(MissionResource().export())
    Mission.objects.all().delete()

    result = MissionResource().import_data(dataset)

    assert not result.has_errors() and not result.has_validation_errors()
    assert mission_snapshot() == before


def test_reimporting_an_unchanged_mission_export_changes_nothing(missions):
    dataset = MissionResource().export()
    result = MissionResource().import_data(dataset)
    assert {row.import_type for row in result.rows} == {"skip"}


def test_an_edited_objectives_cell_replaces_the_missions_objectives(missions):
    dataset = MissionResource().export(queryset=Mission.objects.filter(slug=missions[0].slug))
    column = dataset.headers.index("Objectifs")
    row = list(dataset[0])
    row[column] = "Observer la méthode | partly | Une journée de plus\nNouvel objectif"
    dataset[0] = row

    result = MissionResource().import_data(dataset)

    assert [r.import_type for r in result.rows] == ["update"]
    assert list(missions[0].objectives.values_list("text", "outcome", "outcome_note", "position")) == [
        ("Observer la méthode", "partly", "Une journée de plus", 0),
        ("Nouvel objectif", "not_yet", "", 1),
    ]


def test_edited_visits_and_participants_cells_replace_them_by_slug_or_name(missions, tag22):
    dataset = MissionResource().export(queryset=Mission.objects.filter(slug=missions[0].slug))
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    row["Visites"] = "s:TAg22 | Guingamp | 04/06/2025\nRéseau des pôles d'économie sociale | Montréal"
    row["Participants"] = "Léa Morvan | Directrice | s:tag22"
    dataset[0] = list(row.values())

    result = MissionResource().import_data(dataset)

    assert [r.import_type for r in result.rows] == ["update"]
    reseau = Organisation.objects.get(slug="reseau-poles-quebec")
    visits = missions[0].visits.values_list("structure", "organisation", "city", "visited_on")
    assert sorted(visits, key=repr) == sorted(
        [(tag22.pk, None, "Guingamp", dt.date(2025, 6, 4)), (None, reseau.pk, "Montréal", None)], key=repr
    )
    assert list(missions[0].participants.values_list("name", "role", "structure")) == [
        ("Léa Morvan", "Directrice", tag22.pk)
    ]


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [
        ("Visites", "s:inconnue | Brest", "Ligne 1\u00a0: «\u00a0s:inconnue\u00a0»\u00a0: introuvable"),
        ("Visites", "s:tag22 | Brest\ns:tag22", "Ligne 2\u00a0: la ville de la visite est vide."),
        (
            "Visites",
            "s:tag22 | Brest | 31/02/2025",
            "Ligne 1\u00a0: «\u00a031/02/2025\u00a0» n'est pas une date",
        ),
        ("Participants", " | Directrice", "Ligne 1\u00a0: le nom du participant est vide."),
    ],
)
def test_a_bad_visits_or_participants_line_names_column_and_line_and_nothing_is_imported(
    missions, column, cell, message
):
    before = mission_snapshot()
    dataset = MissionResource().export(queryset=Mission.objects.filter(slug=missions[0].slug))
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    row[column] = cell
    dataset[0] = list(row.values())

    result = MissionResource().import_data(dataset)

    [invalid] = result.invalid_rows
    [error] = invalid.error.message_dict[column]
    assert error.startswith(message)
    assert mission_snapshot() == before


def test_an_edited_local_time_is_read_in_the_rows_zone(missions):
    dataset = csv(
        """
Intitulé,Slug,Sens,Fuseau horaire,Début (heure locale),Fin (heure locale)
Mission à Paris,mission-paris,qc_to_fr,Europe/Paris,2025-06-02 20:00,2025-06-03 18:00
"""
    )
    MissionResource().import_data(dataset)
    assert Mission.objects.get(slug="mission-paris").starts_at == dt.datetime(
        2025, 6, 2, 18, 0, tzinfo=dt.UTC
    )


def test_a_bad_partnership_cell_names_row_and_column_and_nothing_is_imported(missions):
    before = mission_snapshot()
    dataset = csv(
        """
Intitulé,Slug,Partenariat,Sens,Fuseau horaire,Début (heure locale),Fin (heure locale)
Première,premiere,cereso-ptce-sud-aquitaine,qc_to_fr,Europe/Paris,2025-06-02 09:00,2025-06-03 18:00
Seconde,seconde,partenariat-inconnu,qc_to_fr,Europe/Paris,2025-06-02 09:00,2025-06-03 18:00
"""
    )

    result = MissionResource().import_data(dataset)

    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert list(invalid.field_specific_errors) == ["Partenariat"]
    assert "partenariat-inconnu" in invalid.field_specific_errors["Partenariat"][0]
    assert mission_snapshot() == before


def test_an_unknown_outcome_names_the_objectives_column_and_its_line(missions):
    dataset = csv(
        """
Intitulé,Slug,Sens,Fuseau horaire,Début (heure locale),Fin (heure locale),Objectifs
Mission,mission,qc_to_fr,Europe/Paris,2025-06-02 09:00,2025-06-03 18:00,"Premier | Atteint
Second | peut-être"
"""
    )

    result = MissionResource().import_data(dataset)

    [invalid] = result.invalid_rows
    message = invalid.field_specific_errors["Objectifs"][0]
    assert invalid.number == 1 and "Ligne 2" in message and "« peut-être »" in message
    assert not Mission.objects.filter(slug="mission").exists() and not Objective.objects.filter(
        text="Premier"
    )


def test_a_local_time_the_clocks_skip_is_refused_on_its_column(missions):
    dataset = csv(
        """
Intitulé,Slug,Sens,Fuseau horaire,Début (heure locale),Fin (heure locale)
Mission,mission,fr_to_qc,America/Toronto,2025-03-09 02:30,2025-03-10 18:00
"""
    )

    result = MissionResource().import_data(dataset)

    assert list(result.invalid_rows[0].field_specific_errors) == ["Début (heure locale)"]
    assert not Mission.objects.filter(slug="mission").exists()


def test_an_unknown_zone_is_refused(missions):
    dataset = csv(
        """
Intitulé,Slug,Sens,Fuseau horaire,Début (heure locale),Fin (heure locale)
Mission,mission,fr_to_qc,Asia/Tokyo,2025-03-09 10:30,2025-03-10 18:00
"""
    )

    result = MissionResource().import_data(dataset)

    errors = result.invalid_rows[0].field_specific_errors
    assert "Fuseau horaire « Asia/Tokyo » inconnu" in errors["Début (heure locale)"][0]
    assert not Mission.objects.filter(slug="mission").exists()


# --- Know-how transfers ------------------------------------------------------------------------------


def test_transfer_export_names_beneficiaries_by_slug_with_structures_marked(transfers):
    dataset = KnowHowTransferResource().export(queryset=KnowHowTransfer.objects.filter(pk=transfers[0].pk))
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert set(row["Bénéficiaires"].split("|")) == {"s:tag22", "figeacteurs"}
    assert row["Structure apporteuse"] == "les-ecossolies"
    assert row["Programme"] == "territoires-french-impact"


@pytest.mark.parametrize("through", [lambda d: d, through_xlsx], ids=["csv", "xlsx"])
def test_transfers_exported_then_imported_into_an_emptied_database_come_back_the_same(transfers, through):
    before = transfer_snapshot()
    dataset = through(KnowHowTransferResource().export())
    KnowHowTransfer.objects.all().delete()

    result = KnowHowTransferResource().import_data(dataset)

    assert not result.has_errors() and not result.has_validation_errors()
    assert transfer_snapshot() == before


def test_reimporting_an_unchanged_transfer_export_changes_nothing(transfers):
    result = KnowHowTransferResource().import_data(KnowHowTransferResource().export())
    assert {row.import_type for row in result.rows} == {"skip"}


def test_an_unknown_beneficiary_names_row_and_column_and_nothing_is_imported(transfers):
    before = transfer_snapshot()
    dataset = csv(
        """
Intitulé,Slug,Structure apporteuse,Thème,Début,Bénéficiaires
Nouveau,nouveau,les-ecossolies,governance,2021-01-01,s:tag22
Visite,visite-apprenante-ecossolies-2020,les-ecossolies,governance,2020-10-23,figeacteurs|s:inconnue
"""
    )

    result = KnowHowTransferResource().import_data(dataset)

    [invalid] = result.invalid_rows
    assert invalid.number == 2 and list(invalid.field_specific_errors) == ["Bénéficiaires"]
    assert "« s:inconnue »" in invalid.field_specific_errors["Bénéficiaires"][0]
    assert transfer_snapshot() == before


def test_a_published_transfer_must_be_validated_in_the_file_too(transfers):
    dataset = csv(
        """
Intitulé,Slug,Structure apporteuse,Thème,Statut,Début,Publié
Nouveau,nouveau,les-ecossolies,governance,proposed,2021-01-01,1
"""
    )

    result = KnowHowTransferResource().import_data(dataset)

    assert result.has_validation_errors() and not KnowHowTransfer.objects.filter(slug="nouveau").exists()


# --- Export cost ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 5])
def test_mission_export_runs_a_constant_number_of_queries(tag22, django_assert_num_queries, count):
    for _ in range(count):
        mission = factories.MissionFactory()
        factories.ObjectiveFactory(mission=mission)
        factories.VisitFactory(mission=mission)
        factories.VisitFactory(mission=mission, organisation=None, structure=tag22)
        Participant.objects.create(mission=mission, name="Léa Morvan", structure=tag22)
        Participant.objects.create(
            mission=mission, name="Paul Gagnon", organisation=factories.OrganisationFactory()
        )
    # A count, the missions joined with their partnership, their objectives, their visits, the visits'
    # structures, their organisations, the participants, their structures, their organisations, the projects.
    with django_assert_num_queries(10):
        dataset = MissionResource().export()
    assert len(dataset) == count


@pytest.mark.parametrize("count", [1, 5])
def test_transfer_export_runs_a_constant_number_of_queries(tag22, django_assert_num_queries, count):
    for _ in range(count):
        beneficiary = factories.BeneficiaryFactory()
        Beneficiary.objects.create(transfer=beneficiary.transfer, structure=tag22)
    # A count, the transfers joined with provider and programme, their beneficiaries, the beneficiaries'
    # structures, their organisations, the transfers' projects.
    with django_assert_num_queries(6):
        dataset = KnowHowTransferResource().export()
    assert len(dataset) == count


# --- The demo data ----------------------------------------------------------------------------------


def test_the_demo_missions_and_transfers_survive_an_export_and_reimport_into_an_emptied_database(settings):
    from fabrique.demo.loader import load_demo

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo(projects=30, seed=2026)
    missions, transfers = mission_snapshot(), transfer_snapshot()
    mission_file, transfer_file = MissionResource().export(), KnowHowTransferResource().export()
    delegation = dict(
        zip(
            mission_file.headers,
            mission_file[mission_file["Slug"].index("delegation-fabriques-quebec-2026")],
            strict=True,
        )
    )
    assert (delegation["Début (heure locale)"], delegation["Fuseau horaire"]) == (
        "2026-12-07 09:00",
        "America/Toronto",
    )
    Mission.objects.all().delete()
    KnowHowTransfer.objects.all().delete()

    mission_result = MissionResource().import_data(mission_file)
    transfer_result = KnowHowTransferResource().import_data(transfer_file)

    assert not mission_result.has_validation_errors() and not transfer_result.has_validation_errors()
    assert (mission_snapshot(), transfer_snapshot()) == (missions, transfers)
