"""`load_demo`: the seeds' real names, the demo accounts, deterministic synthetic projects, idempotence."""

import datetime as dt
from io import StringIO
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fabrique.demo.loader import load_demo
from fabrique.demo.synthetic import Slot, at_place, of_place, plan_projects
from fabrique.models import User
from network.models import Contact, Coordinator, PeerCommittee, Structure, Territory
from partnerships.models import Agreement, KnowHowTransfer, Mission, Organisation, Partnership, Visit
from programmes.models import Funding, Participation, Partner, PartnerMember, Programme
from projects.models import TRANSITIONS, Project, StageChange

PARIS = ZoneInfo("Europe/Paris")
APPS = ["fabrique", "network", "programmes", "projects", "partnerships"]


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # The demo hashes the same password either way; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    load_demo(projects=30, seed=2026)


def snapshot() -> dict[str, list[dict]]:
    """Every row of every model of the four apps and the users, through tables included."""
    rows = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def demo_projects():
    return Project.objects.filter(slug__startswith="demo-")


# Idempotence


def test_running_twice_changes_no_row_of_any_model(demo):
    before = snapshot()

    load_demo(projects=30, seed=2026)

    after = snapshot()
    assert {label: len(rows) for label, rows in after.items()} == {
        label: len(rows) for label, rows in before.items()
    }
    assert after == before  # same values, down to updated_at and the password hashes


def test_rerun_restores_a_seed_row_edited_since(demo):
    Structure.objects.filter(slug="tag22").update(name="TAg 22 renommée", phase="suspended")

    load_demo(projects=30, seed=2026)

    tag22 = Structure.objects.get(slug="tag22")
    assert (tag22.name, tag22.phase) == ("TAg22", "labelled")


def test_a_larger_count_only_adds_the_missing_projects(demo):
    first = dict(demo_projects().values_list("slug", "id"))

    load_demo(projects=45, seed=2026)

    assert demo_projects().count() == 45
    assert dict(demo_projects().filter(slug__in=first).values_list("slug", "id")) == first


def test_synthetic_projects_are_written_without_a_query_per_project(demo):
    with CaptureQueriesContext(connection) as seeds_only:
        load_demo(projects=30, seed=2026)  # nothing to add
    with CaptureQueriesContext(connection) as with_new_projects:
        load_demo(projects=65, seed=2026)  # 35 more, each with history, holder, indicators, partners

    assert demo_projects().count() == 65
    # The existing slugs in one query, then one bulk insert per table: never 35 extra queries.
    assert len(with_new_projects) <= len(seeds_only) + 8


def test_zero_projects_loads_the_seeds_only(db):
    load_demo(projects=0)

    assert not demo_projects().exists()
    assert Project.objects.filter(slug="tiers-lieu-26fk").exists()


# The seeds' real names


SEED_NAMES = [
    (
        Structure,
        "name",
        [
            "TAg22",
            "TAg29",
            "TAg35",
            "ADRESS Normandie",
            "ATIS",
            "Première Brique",
            "France Active Nouvelle-Aquitaine",
            "France Active Alsace",
            "Clus'Ter Jura",
            "Active",
            "Pôle d'Économie Solidaire 21",
            "Fédération Départementale des Foyers Ruraux de l'Yonne",
            "France Active Franche-Comté",
            "France Active Bourgogne",
            "Courant Fort",
            "Inter-Made",
            "CAPI Corsica",
        ],
    ),
    (
        Territory,
        "name",
        [
            "Strasbourg Eurométropole (QPV)",
            "Mulhouse Sud Alsace agglomération (QPV)",
            "Pays de Brest – Carhaix",
            "Pays Périgord Vert",
            "L'argentanais",
            "Décines-Charpieu",
            "nord Drôme-Ardèche",
            "Pays Lédonien",
            "Retiers",
            "Seine-Maritime",
            "Aix Marseille Provence métropole (QPV)",
            "Limousin – Creuse, Corrèze, Haute-Vienne (rural)",
            "Lanaudière",
            "Tarnos",
        ],
    ),
    (
        Programme,
        "name",
        [
            "Fabrique à initiatives en territoires fragiles",
            "Emergence de garages solidaires",
            "Silver Solidarités",
            "Catalyseur",
            "Ateliers Fabrique à initiatives éphémères – Festival d'Avignon 2021",
            "Transfert de savoir-faire des Territoires French Impact",
        ],
    ),
    (
        Partner,
        "name",
        [
            "L'Europe – Fonds social européen (FSE)",
            "Banque des territoires (Caisse des Dépôts)",
            "Agence nationale de cohésion des territoires (ANCT)",
            "Fondation PSA",
            "AG2R La Mondiale",
            "Fondation Crédit Coopératif",
            "Festival d'Avignon",
            "Fédération nationale des Cuma",
            "Le French Impact",
            "Commission permanente de coopération franco-québécoise (CPCFQ)",
            "Parcours numérique Québec-France",
            "Les Offices jeunesse internationaux du Québec (LOJIQ)",
            "Cégep régional de Lanaudière",
        ],
    ),
    (
        Organisation,
        "name",
        [
            "CERESO",
            "Le Tube à ESS'ai",
            "L'Espace412",
            "Réseau des pôles d'économie sociale du Québec",
            "ETIC",
        ],
    ),
    (
        Partnership,
        "title",
        ["Avise – Réseau des pôles d'économie sociale du Québec", "CERESO – PTCE Sud Aquitaine"],
    ),
    (
        Mission,
        "title",
        [
            "Voyage d'étude des Pôles d'économie sociale du Québec en France",
            "Délégation des Fabriques à initiatives au Québec",
            "Mission du PTCE Sud Aquitaine au Québec",
            "Mission du CERESO à Tarnos",
            "Assises franco-québécoises de la coopération décentralisée",
        ],
    ),
    (
        Project,
        "title",
        [
            "Garage solidaire du Pays de Brest – Carhaix",
            "Garage solidaire du Pays Périgord Vert",
            "Garage solidaire de l'Argentanais",
            "Garage solidaire de Décines-Charpieu",
            "Garage solidaire du nord Drôme-Ardèche",
            "Épicerie solidaire de Retiers",
            "Conciergerie d'Ampère",
            "Toulouse Espace Couture",
            "Tiers-lieu le 26FK",
            "Conciergerie itinérante",
            "Plateforme d'aide aux aidants",
            "Habitat intergénérationnel",
            "Cabinet RH emploi des seniors",
        ],
    ),
]


def test_the_seeds_real_names_are_loaded(demo):
    missing = {
        model.__name__: set(names) - set(model.objects.values_list(field, flat=True))
        for model, field, names in SEED_NAMES
    }

    assert missing == {model.__name__: set() for model, _, _ in SEED_NAMES}


def test_contacts_are_the_people_the_texts_name(demo):
    contacts = set(Contact.objects.values_list("structure__name", "name", "role"))

    assert {
        ("TAg22", "Mathilde Lebreton", "Responsable Emergence"),
        ("TAg29", "Sindy Quéré", "Responsable Révélateur"),
        ("Clus'Ter Jura", "Maï-Lys Regad", "Cheffe de projets"),
        ("France Active Nouvelle-Aquitaine", "Véronique Faurie", "Chargée de mission Fabrique à initiatives"),
    } <= contacts


def test_every_structure_phase_history_leads_to_its_phase(demo):
    for structure in Structure.objects.prefetch_related("phase_changes"):
        changes = sorted(structure.phase_changes.all(), key=lambda change: change.changed_on)
        assert changes[0].from_phase == ""
        assert all(later.from_phase == earlier.to_phase for earlier, later in pairwise(changes))
        assert changes[-1].to_phase == structure.phase
        assert changes[-1].changed_on == structure.phase_since
        if structure.phase == Structure.Phase.LABELLED:
            assert [c.to_phase for c in changes][-2:] == ["application", "labelled"]
            assert structure.labelled_on == changes[-1].changed_on


def test_atis_and_france_active_nouvelle_aquitaine_hold_the_appellation(demo):
    atis = Structure.objects.get(name="ATIS")
    fana = Structure.objects.get(name="France Active Nouvelle-Aquitaine")

    assert atis.phase == fana.phase == Structure.Phase.LABELLED
    assert atis.departement.code == "33"
    experimentation = fana.phase_changes.get(to_phase="experimentation").changed_on
    assert round((fana.labelled_on - experimentation).days / 365) == 3  # "3 années d'expérimentation"
    assert fana.territories.filter(name__startswith="Limousin").exists()


def test_the_committee_that_granted_nine_appellations_never_seats_an_applicant(demo):
    committee = PeerCommittee.objects.get(held_on=dt.date(2021, 6, 17))
    applicants = set(committee.applications.values_list("structure_id", flat=True))
    members = set(committee.seats.values_list("structure_id", flat=True))

    assert len(applicants) == 9
    assert not applicants & members
    assert set(committee.applications.values_list("decision", flat=True)) == {"granted"}
    assert not Structure.objects.filter(pk__in=members).exclude(phase="labelled").exists()


def test_territories_have_kinds_departements_and_points(demo):
    strasbourg = Territory.objects.get(name="Strasbourg Eurométropole (QPV)")
    lanaudiere = Territory.objects.get(name="Lanaudière")
    normandie = Territory.objects.get(name="Normandie")

    assert strasbourg.kind == "qpv"
    assert list(strasbourg.departements.values_list("code", flat=True)) == ["67"]
    assert Territory.objects.filter(kind="rural").exists()
    assert (lanaudiere.country, lanaudiere.departements.count()) == ("CA", 0)
    assert set(normandie.departements.values_list("code", flat=True)) == {"14", "27", "50", "61", "76"}
    assert not Territory.objects.filter(latitude__isnull=True).exists()


def test_programmes_have_their_funders_and_participations(demo):
    garages = Programme.objects.get(name="Emergence de garages solidaires")
    catalyseur = Programme.objects.get(name="Catalyseur")
    silver = Programme.objects.get(name="Silver Solidarités")

    assert (garages.start_date, garages.end_date) == (dt.date(2020, 1, 1), dt.date(2021, 12, 31))
    assert Funding.objects.filter(programme=garages, partner__name="Fondation PSA", role="funder").exists()
    assert garages.participations.count() == 5
    assert set(catalyseur.participations.values_list("structure__name", "territory__name")) == {
        ("TAg35", "Retiers"),
        ("ADRESS Normandie", "Seine-Maritime"),
    }
    assert catalyseur.fundings.get(role="lead").partner.name == "Fédération nationale des Cuma"
    assert set(silver.participations.values_list("territory__kind", flat=True)) == {"region"}
    assert silver.participations.count() == 5
    assert Funding.objects.filter(
        programme__name__startswith="Fabrique à initiatives en", partner__slug="europe-fse"
    )
    assert (
        Participation.objects.filter(programme__slug="ateliers-fabrique-ephemere-avignon-2021").count() == 4
    )


def test_cereso_partnership_has_parties_supporters_and_a_signed_agreement(demo):
    partnership = Partnership.objects.get(title="CERESO – PTCE Sud Aquitaine")
    agreement = Agreement.objects.get(partnership=partnership)

    assert set(partnership.parties.values_list("organisation__name", "side")) == {
        ("CERESO", "CA"),
        ("Pôle Territorial de Coopération Économique Sud Aquitaine", "FR"),
    }
    assert {"Parcours numérique Québec-France", "Cégep régional de Lanaudière"} <= set(
        partnership.supports.values_list("partner__name", flat=True)
    )
    assert agreement.status == "signed" and agreement.signed_on
    assert set(agreement.parties.values_list("name", flat=True)) == {"CERESO", "Le Tube à ESS'ai"}
    avise = Partnership.objects.get(slug="avise-poles-economie-sociale-quebec")
    assert list(avise.supports.values_list("partner__slug", flat=True)) == ["cpcfq"]


def test_cereso_mission_runs_16_to_21_october_2023_paris_time_with_six_objectives(demo):
    mission = Mission.objects.get(title="Mission du CERESO à Tarnos")

    assert mission.timezone == "Europe/Paris"
    assert mission.starts_at.astimezone(PARIS).date() == dt.date(2023, 10, 16)
    assert mission.ends_at.astimezone(PARIS).date() == dt.date(2023, 10, 21)
    objectives = list(mission.objectives.all())
    assert len(objectives) == 6
    assert objectives[0].text.startswith("Consolider et signer l'entente")
    assert all(objective.outcome for objective in objectives)
    assets = Mission.objects.get(title="Assises franco-québécoises de la coopération décentralisée")
    assert assets.starts_at.astimezone(PARIS).date() == dt.date(2023, 10, 23)
    assert assets.cities == "La Rochelle"


def test_missions_in_quebec_use_the_montreal_time_zone(demo):
    for mission in Mission.objects.all():
        expected = "America/Toronto" if mission.direction == "fr_to_qc" else "Europe/Paris"
        assert mission.timezone == expected, mission.title
    ptce = Mission.objects.get(slug="mission-ptce-sud-aquitaine-quebec-2022")
    assert (ptce.starts_at.year, ptce.starts_at.month) == (2022, 11)


def test_study_trip_visits_point_at_members_or_organisations(demo):
    visits = Visit.objects.filter(mission__slug="voyage-etude-poles-quebec-2025")

    by_structure = set(visits.filter(structure__isnull=False).values_list("structure__name", "city"))
    by_organisation = set(visits.filter(organisation__isnull=False).values_list("organisation__name", "city"))
    assert by_structure == {
        ("ADRESS Normandie", "Rouen"),
        ("Première Brique", "Toulouse"),
        ("ATIS", "Bordeaux"),
    }
    assert {
        ("Les Alouettes", "Toulouse"),
        ("La Glanerie", "Toulouse"),
        ("Toulouse Espace Couture", "Toulouse"),
        ("Conciergerie solidaire", "Toulouse"),
        ("Pôle Haute-Lande", "Bordeaux"),
        ("La Manuco", "Bordeaux"),
        ("L'Autre Institut de Beauté by Princ'ESS", "Bordeaux"),
        ("La Cité bleue", "Bordeaux"),
    } == by_organisation


def test_ecossolies_collective_visit_has_six_beneficiaries(demo):
    visit = KnowHowTransfer.objects.get(provider__name="Les Ecossolies")

    assert (visit.format, visit.started_on, visit.city) == ("collective", dt.date(2020, 10, 23), "Nantes")
    assert visit.programme.name == "Transfert de savoir-faire des Territoires French Impact"
    assert (visit.status, visit.is_published) == ("validated", True)
    beneficiaries = {str(b) for b in visit.beneficiaries.select_related("structure", "organisation")}
    assert beneficiaries == {
        "CRESS Grand Est",
        "Strasbourg Eurométropole",
        "PTCE Figeacteurs",
        "Capée",
        "Clus'Ter Jura",
        "Marseille Solutions",
    }
    assert visit.beneficiaries.get(structure__isnull=False).structure.slug == "clus-ter-jura"


def test_know_how_transfers_name_provider_and_beneficiary(demo):
    pairs = {
        (t.provider.name, str(t.beneficiaries.get()))
        for t in KnowHowTransfer.objects.filter(format="individual").select_related("provider")
    }

    assert pairs == {("ETIC", "PTCE Figeacteurs"), ("GRAP", "Coopilote"), ("Villages vivants", "ATIS")}
    assert "Meryl Parisse" in KnowHowTransfer.objects.get(slug="etic-figeacteurs-tiers-lieu").testimonial


# Demo accounts


@pytest.mark.parametrize(
    "email",
    [
        "avise@example.org",
        "coordination@tag22.example.org",
        "coordination@atis.example.org",
        "partenaire@fondation-psa.example.org",
    ],
)
def test_demo_accounts_log_in_with_the_demo_password_after_a_rerun(demo, email):
    load_demo(projects=30, seed=2026)

    assert authenticate(email=email, password="fabrique-demo") == User.objects.get(email=email)
    assert authenticate(email=email, password="wrong") is None


def test_demo_accounts_have_their_roles(demo):
    staff = User.objects.get(email="avise@example.org")

    assert staff.is_staff and staff.is_superuser
    assert Coordinator.objects.filter(
        user__email="coordination@tag22.example.org", structure__name="TAg22"
    ).exists()
    atis = Coordinator.objects.get(user__email="coordination@atis.example.org")
    assert (atis.structure.name, atis.structure.phase) == ("ATIS", "labelled")
    assert PartnerMember.objects.filter(
        user__email="partenaire@fondation-psa.example.org", partner__name="Fondation PSA"
    ).exists()
    assert not User.objects.filter(is_staff=True).exclude(email="avise@example.org").exists()


# The pipeline's rules, for the seeds' projects and the synthetic ones


def test_every_project_respects_the_pipeline_rules(demo):
    projects = Project.objects.prefetch_related("stage_changes", "holder_assignments")
    assert demo_projects().count() == 30
    for project in projects:
        changes = sorted(project.stage_changes.all(), key=lambda change: change.changed_at)
        assert (changes[0].from_stage, changes[0].to_stage) == ("", "detection"), project.slug
        for earlier, later in pairwise(changes):
            assert later.from_stage == earlier.to_stage
            assert later.to_stage in TRANSITIONS[earlier.to_stage]
        assert project.stage == changes[-1].to_stage, project.slug
        assert project.stage_changed_at == changes[-1].changed_at
        reached = {change.to_stage for change in changes}
        if project.stage == "abandoned":
            assert project.abandon_reason
        if project.stage == "launched":
            assert project.started_on and project.holder_assignments.all()
        if "launch" in reached:
            assert project.study_conclusion == "favourable" and project.study_completed_on
            assert project.holder_assignments.all(), project.slug
        if "invention" in reached:
            assert project.study_started_on
        if project.is_published:
            assert project.published_at


def test_synthetic_projects_sit_on_a_territory_of_their_structure(demo):
    for project in demo_projects().select_related("structure"):
        on_own_territory = project.structure.territories.filter(pk=project.territory_id).exists()
        assert on_own_territory
        if project.programme_id:
            assert Participation.objects.filter(
                programme_id=project.programme_id,
                structure_id=project.structure_id,
                territory=project.territory_id,
            ).exists()


def test_synthetic_projects_spread_over_structures_programmes_and_stages(db):
    load_demo(projects=120, seed=2026)

    synthetic = demo_projects()
    assert synthetic.values("structure").distinct().count() >= 10
    assert synthetic.exclude(programme=None).values("programme").distinct().count() >= 3
    assert set(synthetic.values_list("stage", flat=True)) == {s.value for s in Project.Stage}
    assert synthetic.values("sector").distinct().count() >= 6


def test_the_same_seed_gives_the_same_projects(db):
    load_demo(projects=30, seed=7)
    first = list(demo_projects().order_by("slug").values_list("slug", "title", "stage", "structure__slug"))
    demo_projects().delete()

    load_demo(projects=30, seed=7)

    assert (
        list(demo_projects().order_by("slug").values_list("slug", "title", "stage", "structure__slug"))
        == first
    )
    demo_projects().delete()
    load_demo(projects=30, seed=8)
    assert (
        list(demo_projects().order_by("slug").values_list("slug", "title", "stage", "structure__slug"))
        != first
    )


def test_planning_is_deterministic_and_a_prefix_of_a_larger_count():
    slots = [
        Slot(1, 10, ("Retiers",), None, ("food", "mobility"), dt.date(2020, 1, 1), dt.date(2022, 1, 1)),
        Slot(
            2, 20, ("Le Havre", "Argentan"), 5, ("mobility",), dt.date(2020, 1, 1), dt.date(2021, 1, 1), (3,)
        ),
    ]

    small = [(p.slug, p.title, p.stage, p.moves) for p in plan_projects(5, 42, slots)]
    large = [(p.slug, p.title, p.stage, p.moves) for p in plan_projects(50, 42, slots)]

    assert small == large[:5]
    assert small == [(p.slug, p.title, p.stage, p.moves) for p in plan_projects(5, 42, slots)]
    assert small[0][0] == "demo-1"


def test_place_names_take_french_articles():
    assert of_place("Retiers") == "de Retiers"
    assert of_place("Argentan") == "d'Argentan"
    assert of_place("Le Havre") == "du Havre"
    assert of_place("L'Assomption") == "de l'Assomption"
    assert at_place("Le Havre") == "au Havre"
    assert at_place("Retiers") == "à Retiers"


# The command


def test_command_prints_a_french_summary_and_the_demo_accounts(db):
    out = StringIO()

    call_command("load_demo", "--projects", "5", "--seed", "3", stdout=out)

    text = out.getvalue()
    assert "Projets : 25" in text  # 20 real projects + 5 synthetic
    assert "fabrique-demo" in text
    assert "http://127.0.0.1:8000" in text
    for email in (
        "avise@example.org",
        "coordination@tag22.example.org",
        "partenaire@fondation-psa.example.org",
    ):
        assert email in text
    assert StageChange.objects.exists()


def test_command_refuses_a_negative_count(db):
    with pytest.raises(CommandError):
        call_command("load_demo", "--projects", "-1", stdout=StringIO())


def test_demo_projects_are_dated_by_their_history_not_by_the_load(demo):
    """Created on their first stage change, updated on their last: the year filter and the « sans mise à
    jour depuis 90 jours » flag then show what real data would, not the day the demo was loaded."""
    years = set()
    for project in Project.objects.prefetch_related("stage_changes"):
        moments = [change.changed_at for change in project.stage_changes.all()]
        assert (project.created_at, project.updated_at) == (min(moments), max(moments)), project.slug
        years.add(project.created_at.year)
    assert len(years) > 3
