"""The admin: every model has a working admin for Avise staff and is closed to everyone else; changelists
run a constant number of queries; reference data and history are read-only; spreadsheets go in and out."""

from collections.abc import Callable
from itertools import count

import factory
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fabrique.accounts import invitations
from fabrique.models import ImportRun, Invitation, User
from network.models import (
    AppellationApplication,
    ApplicationDocument,
    CommitteeMember,
    ConflictOfInterest,
    Contact,
    Coordinator,
    Departement,
    Opinion,
    PeerCommittee,
    PhaseChange,
    Region,
    Structure,
    Territory,
)
from partnerships.models import (
    Agreement,
    Beneficiary,
    KnowHowTransfer,
    Mission,
    Objective,
    Organisation,
    Participant,
    Partnership,
    Party,
    Support,
    Visit,
)
from programmes.models import Funding, Participation, Partner, PartnerMember, Programme, ProgrammeBooklet
from projects.models import Document, HolderAssignment, Indicator, Project, ProjectFiche, StageChange
from tests import factories

DOMAIN_APPS = ("fabrique", "network", "programmes", "projects", "partnerships")
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


class OpinionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opinion

    application = factory.SubFactory(factories.ApplicationFactory)
    member = factory.SubFactory(factories.StructureFactory, labelled=True)
    verdict = Opinion.Verdict.FAVOURABLE


class ConflictOfInterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictOfInterest

    application = factory.SubFactory(factories.ApplicationFactory)
    structure = factory.SubFactory(factories.StructureFactory)
    reason = "Les deux structures partagent un administrateur."


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    partnership = factory.SubFactory(factories.PartnershipFactory)
    organisation = factory.SubFactory(factories.OrganisationFactory)
    side = "CA"


class SupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Support

    partnership = factory.SubFactory(factories.PartnershipFactory)
    partner = factory.SubFactory(factories.PartnerFactory, name="LOJIQ")
    scheme = "Parcours numérique Québec-France"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    mission = factory.SubFactory(factories.MissionFactory)
    name = "Directrice du CERESO"


group_numbers = count()


def make_email_address() -> EmailAddress:
    # UserFactory gives every user its verified primary address (allauth logs in only those).
    return EmailAddress.objects.get(user=factories.UserFactory())


def make_invitation() -> Invitation:
    return invitations.invite(
        invited_by=factories.StaffFactory(),
        email=f"invitee{next(group_numbers)}@example.org",
        structures=[factories.StructureFactory()],
        base_url="http://testserver/",
    )


# One way to make a row of every model the admin shows. Régions and départements come with the migrations.
MAKERS: dict[type[Model], Callable[[], Model]] = {
    EmailAddress: make_email_address,
    Authenticator: lambda: Authenticator.objects.get(user=factories.StaffFactory()),
    Invitation: make_invitation,
    Group: lambda: Group.objects.create(name=f"Équipe Avise {next(group_numbers)}"),
    User: factories.UserFactory,
    Region: lambda: Region.objects.get(code="53"),
    Departement: lambda: factories.departement("22"),
    Territory: factories.TerritoryFactory,
    Structure: factories.StructureFactory,
    PhaseChange: factories.PhaseChangeFactory,
    Contact: factories.ContactFactory,
    Coordinator: factories.CoordinatorFactory,
    PeerCommittee: factories.PeerCommitteeFactory,
    CommitteeMember: factories.CommitteeMemberFactory,
    AppellationApplication: factories.ApplicationFactory,
    Opinion: OpinionFactory,
    ConflictOfInterest: ConflictOfInterestFactory,
    Partner: factories.PartnerFactory,
    PartnerMember: factories.PartnerMemberFactory,
    Programme: factories.ProgrammeFactory,
    Funding: factories.FundingFactory,
    Participation: factories.ParticipationFactory,
    ApplicationDocument: lambda: ApplicationDocument.objects.create(
        application=factories.ApplicationFactory(),
        title="Rapport d'activité",
        file="appellation/dossiers/rapport.pdf",
        content_type="application/pdf",
        size=15,
    ),
    ImportRun: lambda: ImportRun.objects.create(kind="structures", file_name="structures.csv"),
    ProgrammeBooklet: lambda: ProgrammeBooklet.objects.create(
        programme=factories.ProgrammeFactory(), fiches_total=40, fiches_done=12
    ),
    Project: factories.ProjectFactory,
    StageChange: factories.StageChangeFactory,
    HolderAssignment: factories.HolderAssignmentFactory,
    Indicator: factories.IndicatorFactory,
    Document: factories.DocumentFactory,
    ProjectFiche: lambda: ProjectFiche.objects.create(project=factories.ProjectFactory(), error="OSError"),
    Organisation: factories.OrganisationFactory,
    Partnership: factories.PartnershipFactory,
    Party: PartyFactory,
    Support: SupportFactory,
    Agreement: factories.AgreementFactory,
    Mission: factories.MissionFactory,
    Visit: factories.VisitFactory,
    Participant: ParticipantFactory,
    Objective: factories.ObjectiveFactory,
    KnowHowTransfer: factories.KnowHowTransferFactory,
    Beneficiary: factories.BeneficiaryFactory,
}


def url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def label(model: type[Model]) -> str:
    return model._meta.label


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_every_domain_model_has_an_admin():
    for app_label in DOMAIN_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if hasattr(model, "instance_type"):
                continue  # a model's versions (simple-history): read through its admin's « Historique »
            assert model in admin.site._registry, f"{label(model)} has no admin"


def test_the_walk_below_covers_every_registered_model():
    assert set(admin.site._registry) <= set(MAKERS)


def test_site_header_is_the_fabrique_one(staff_client):
    response = staff_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert "Fabrique à initiatives — administration" in response.content.decode()


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_staff_opens_changelist_add_and_change_page_of_every_model(staff_client, model):
    obj = MAKERS[model]()
    model_admin = admin.site._registry[model]

    changelist = staff_client.get(url(model, "changelist"))
    change = staff_client.get(url(model, "change", obj.pk))

    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    assert change.status_code == 200
    request = changelist.wsgi_request
    if model_admin.has_add_permission(request):
        assert staff_client.get(url(model, "add")).status_code == 200
    if model_admin.search_fields:
        assert staff_client.get(url(model, "changelist"), {"q": "a"}).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_anonymous_user_is_redirected_to_admin_login(client, db, model):
    for view in ("changelist", "add"):
        response = client.get(url(model, view))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", [Project, Structure, User, Programme], ids=label)
def test_coordinator_who_is_not_staff_is_redirected_to_admin_login(client, coordinator, model):
    client.force_login(coordinator)

    response = client.get(url(model, "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "model",
    [model for model in REGISTERED if model not in (Region, Departement, Group)],
    ids=label,
)
def test_changelist_runs_the_same_number_of_queries_whatever_the_number_of_rows(
    staff_client, django_assert_max_num_queries, model
):
    MAKERS[model]()
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url(model, "changelist")).status_code == 200
    for _ in range(4):
        MAKERS[model]()

    with django_assert_max_num_queries(len(few)):
        response = staff_client.get(url(model, "changelist"))

    assert response.context["cl"].result_count >= 5


def test_project_changelist_with_thirty_projects_runs_as_many_queries_as_with_three(
    staff_client, django_assert_max_num_queries
):
    programme = factories.ProgrammeFactory()
    factories.ProjectFactory.create_batch(3, programme=programme)
    with CaptureQueriesContext(connection) as three:
        staff_client.get(url(Project, "changelist"))
    factories.ProjectFactory.create_batch(27, programme=programme)

    with django_assert_max_num_queries(len(three)):
        response = staff_client.get(url(Project, "changelist"))

    assert response.context["cl"].result_count == 30


@pytest.mark.parametrize("model", [Region, Departement], ids=label)
def test_reference_geography_is_read_only(staff_client, model):
    obj = MAKERS[model]()
    model_admin = admin.site._registry[model]
    request = staff_client.get(url(model, "changelist")).wsgi_request

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert model_admin.search_fields
    assert staff_client.get(url(model, "add")).status_code == 403
    assert staff_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", [PhaseChange, StageChange], ids=label)
def test_history_is_read_only(staff_client, model):
    obj = MAKERS[model]()
    request = staff_client.get(url(model, "changelist")).wsgi_request
    model_admin = admin.site._registry[model]

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert staff_client.get(url(model, "add")).status_code == 403


def test_departement_autocomplete_answers_for_a_structure(staff_client):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "network", "model_name": "structure", "field_name": "departement", "term": "armor"},
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Côtes-d'Armor (22)"]


def test_user_admin_creates_a_user_by_email(staff_client):
    response = staff_client.post(
        url(User, "add"),
        {
            "email": "Camille.Le-Goff@TAg22.example.org",
            "first_name": "Camille",
            "last_name": "Le Goff",
            "usable_password": "true",
            "password1": "fabrique-a-initiatives-22",
            "password2": "fabrique-a-initiatives-22",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="camille.le-goff@tag22.example.org")
    assert user.check_password("fabrique-a-initiatives-22")
    assert not user.is_staff


def test_user_admin_refuses_an_email_already_used_in_another_case(staff_client):
    factories.UserFactory(email="coordination@tag22.example.org")

    response = staff_client.post(
        url(User, "add"),
        {"email": "Coordination@TAg22.example.org", "usable_password": "false"},
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="coordination@tag22.example.org").count() == 1


def empty_inlines(*prefixes: str) -> dict[str, str]:
    data = {}
    for prefix in prefixes:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def test_staff_creates_a_project_which_enters_its_stage_now(staff_client, staff, tag22):
    territory = factories.TerritoryFactory(name="Pays de Guingamp", slug="pays-de-guingamp")

    response = staff_client.post(
        url(Project, "add"),
        {
            "title": "Conciergerie itinérante",
            "slug": "conciergerie-itinerante",
            "structure": tag22.pk,
            "territory": territory.pk,
            "sector": Project.Sector.LOCAL_SERVICES,
            "stage": Project.Stage.DETECTION,
            "study_conclusion": Project.StudyConclusion.PENDING,
            "is_published": "on",
        }
        | empty_inlines("stage_changes", "holder_assignments", "indicators", "documents"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get(slug="conciergerie-itinerante")
    assert project.stage_changed_at is not None
    assert project.created_by == staff
    assert project.published_at is not None


def test_project_stage_is_not_editable_once_created(staff_client):
    project = factories.ProjectFactory(stage=Project.Stage.DETECTION)

    response = staff_client.get(url(Project, "change", project.pk))

    assert "stage" not in response.context["adminform"].form.fields
    assert "stage" in admin.site._registry[Project].get_readonly_fields(response.wsgi_request, project)


def test_structure_phase_is_not_editable_once_created(staff_client, tag22):
    response = staff_client.get(url(Structure, "change", tag22.pk))

    assert "phase" not in response.context["adminform"].form.fields
    assert "name" in response.context["adminform"].form.fields


def test_document_type_and_size_are_read_from_the_upload(staff_client, staff):
    project = factories.ProjectFactory()
    upload = SimpleUploadedFile("etude-opportunite.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")

    response = staff_client.post(
        url(Document, "add"),
        {"project": project.pk, "title": "Étude d'opportunité", "kind": Document.Kind.STUDY, "file": upload},
    )

    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.content_type, document.size, document.uploaded_by) == ("application/pdf", 15, staff)


@pytest.mark.parametrize(
    "model", [PeerCommittee, CommitteeMember, AppellationApplication, Opinion, ConflictOfInterest], ids=label
)
def test_appellation_path_is_read_only_in_the_admin(staff_client, model):
    # Its rules (labelled members, never the applicant, quorum, phase history) live in its services.
    obj = MAKERS[model]()
    request = staff_client.get(url(model, "changelist")).wsgi_request
    model_admin = admin.site._registry[model]

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert staff_client.get(url(model, "add")).status_code == 403


def test_staff_imports_structures_from_a_csv_file_in_two_steps(staff_client):
    factories.TerritoryFactory(slug="pays-de-brest")
    content = (
        "Nom,Slug,Forme juridique,Phase,Phase depuis le,Code département,Territoires\n"
        "TAg29,tag29,scic,experimentation,2022-01-01,29,pays-de-brest\n"
    ).encode()
    upload = SimpleUploadedFile("structures.csv", content, content_type="text/csv")

    preview = staff_client.post(url(Structure, "import"), {"format": "0", "import_file": upload})

    assert preview.status_code == 200
    assert not Structure.objects.filter(slug="tag29").exists()
    confirm = preview.context["confirm_form"]
    done = staff_client.post(url(Structure, "process_import"), confirm.initial)

    assert done.status_code == 302
    tag29 = Structure.objects.get(slug="tag29")
    assert tag29.departement.code == "29"
    assert list(tag29.territories.values_list("slug", flat=True)) == ["pays-de-brest"]


def test_import_preview_shows_the_bad_row_and_offers_no_confirmation(staff_client):
    content = (
        "Nom,Slug,Forme juridique,Phase,Phase depuis le,Code département\n"
        "Inter-Made,inter-made,association,candidate,2024-09-01,99\n"
    ).encode()
    upload = SimpleUploadedFile("structures.csv", content, content_type="text/csv")

    preview = staff_client.post(url(Structure, "import"), {"format": "0", "import_file": upload})

    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    assert "« 99 »" in preview.content.decode()
    assert not Structure.objects.filter(slug="inter-made").exists()


@pytest.mark.parametrize("model", [Territory, Structure, Partner, Programme, Project], ids=label)
def test_spreadsheet_admins_offer_csv_and_xlsx_only(staff_client, model):
    model_admin = admin.site._registry[model]

    formats = [file_format().get_title() for file_format in model_admin.get_import_formats()]

    assert formats == ["csv", "xlsx"]
    assert staff_client.get(url(model, "import")).status_code == 200
    assert staff_client.get(url(model, "export")).status_code == 200


def test_staff_exports_structures_as_csv_with_french_headers(staff_client):
    factories.StructureFactory(name="TAg22", slug="tag22", departement=factories.departement("22"))
    form = staff_client.get(url(Structure, "export")).context["form"]
    columns = {name: "on" for name in form.fields if name.startswith("structureresource_")}

    assert form.fields["structureresource_departement"].label == "Code département"
    response = staff_client.post(url(Structure, "export"), {"format": "0", "resource": "0"} | columns)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Nom,Slug,Forme juridique,Phase")
    assert "tag22" in lines[1] and ",22," in lines[1]


def test_a_project_with_history_cannot_be_deleted_through_the_admin(staff_client):
    change = factories.StageChangeFactory()

    page = staff_client.get(url(Project, "delete", change.project_id))
    staff_client.post(url(Project, "delete", change.project_id), {"post": "yes"})

    assert page.context["perms_lacking"]
    assert Project.objects.filter(pk=change.project_id).exists()
    assert StageChange.objects.filter(pk=change.pk).exists()
