"""factory_boy factories for every domain model. Names are the seeds' real ones where that matters."""

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from fabrique.models import User
from network.models import (
    AppellationApplication,
    CommitteeMember,
    Contact,
    Coordinator,
    Departement,
    PeerCommittee,
    PhaseChange,
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
    Partnership,
    Visit,
)
from programmes.models import Funding, Participation, Partner, PartnerMember, Programme
from projects.models import Document, HolderAssignment, Indicator, Project, StageChange


def departement(code: str) -> Departement:
    """A département from the reference data loaded by the migrations."""
    return Departement.objects.get(code=code)


# The authenticator app secret (base32) of every StaffFactory user: tests compute codes from it.
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin {n}")
    password = factory.django.Password("fabrique-demo")

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        # allauth logs in only verified addresses (ACCOUNT_EMAIL_VERIFICATION = "mandatory"), as an
        # invitation leaves them; `verified_email=False` makes an account that never confirmed its address.
        if create:
            EmailAddress.objects.update_or_create(
                user=self, email=self.email, defaults={"verified": extracted is not False, "primary": True}
            )


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"equipe{n}@avise.example.org")
    is_staff = True
    is_superuser = True

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        # Staff must have an authenticator app (fabrique/accounts/middleware.py), or every page sends them to
        # its activation; `totp=False` makes a staff member who has not activated one yet.
        has_totp = Authenticator.objects.filter(user=self, type=Authenticator.Type.TOTP).exists
        if create and extracted is not False and not has_totp():
            TOTP.activate(self, STAFF_TOTP_SECRET)


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pays de Brest – Carhaix {n}")
    slug = factory.Sequence(lambda n: f"pays-de-brest-carhaix-{n}")
    kind = Territory.Kind.PAYS

    @factory.post_generation
    def departements(self, create, extracted, **kwargs):
        if create and extracted:
            self.departements.set(extracted)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    name = factory.Sequence(lambda n: f"TAg{n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")
    legal_form = Structure.LegalForm.SCIC
    phase = Structure.Phase.EXPERIMENTATION
    phase_since = dt.date(2023, 1, 1)
    joined_on = dt.date(2023, 1, 1)

    class Params:
        labelled = factory.Trait(phase=Structure.Phase.LABELLED, labelled_on=dt.date(2021, 6, 1))


class PhaseChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhaseChange

    structure = factory.SubFactory(StructureFactory)
    from_phase = Structure.Phase.CANDIDATE
    to_phase = Structure.Phase.EXPERIMENTATION
    changed_on = dt.date(2023, 1, 1)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    structure = factory.SubFactory(StructureFactory)
    name = "Mathilde Lebreton"
    role = "Responsable Emergence"


class CoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coordinator

    user = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(StructureFactory)
    title = "Chargée de mission Fabrique à initiatives"


class PeerCommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerCommittee

    held_on = dt.date(2026, 6, 15)
    place = "Avise, Paris"


class CommitteeMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeMember

    committee = factory.SubFactory(PeerCommitteeFactory)
    structure = factory.SubFactory(StructureFactory, labelled=True)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppellationApplication

    structure = factory.SubFactory(StructureFactory)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Fondation PSA {n}")
    slug = factory.Sequence(lambda n: f"fondation-psa-{n}")
    kind = Partner.Kind.FOUNDATION


class PartnerMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerMember

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Emergence de garages solidaires {n}")
    slug = factory.Sequence(lambda n: f"garages-solidaires-{n}")
    theme = "Mobilité inclusive"
    start_date = dt.date(2020, 1, 1)
    end_date = dt.date(2021, 12, 31)


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    partner = factory.SubFactory(PartnerFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    role = Funding.Role.FUNDER


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    programme = factory.SubFactory(ProgrammeFactory)
    structure = factory.SubFactory(StructureFactory)
    territory = factory.SubFactory(TerritoryFactory)
    start_date = dt.date(2020, 1, 1)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Garage solidaire du Pays Périgord Vert {n}")
    slug = factory.Sequence(lambda n: f"garage-solidaire-{n}")
    structure = factory.SubFactory(StructureFactory)
    territory = factory.SubFactory(TerritoryFactory)
    sector = Project.Sector.MOBILITY
    stage = Project.Stage.DETECTION
    stage_changed_at = factory.LazyFunction(timezone.now)
    need = "Des habitants sans solution de mobilité pour aller travailler."


class StageChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageChange

    project = factory.SubFactory(ProjectFactory)
    from_stage = Project.Stage.DETECTION
    to_stage = Project.Stage.INVENTION
    changed_at = factory.LazyFunction(timezone.now)


class HolderAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HolderAssignment

    project = factory.SubFactory(ProjectFactory)
    holder_name = "Association Mobilité Solidaire"
    assigned_on = dt.date(2024, 3, 1)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    project = factory.SubFactory(ProjectFactory)
    kind = Indicator.Kind.JOBS_FTE
    value = 2
    measured_on = dt.date(2024, 12, 31)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    project = factory.SubFactory(ProjectFactory)
    title = "Étude d'opportunité"
    file = factory.django.FileField(filename="etude.pdf", data=b"%PDF-1.4\n%%EOF\n")
    content_type = "application/pdf"
    size = 15


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"CERESO {n}")
    slug = factory.Sequence(lambda n: f"cereso-{n}")
    kind = Organisation.Kind.INCUBATOR
    country = Organisation.Country.CANADA


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    title = factory.Sequence(lambda n: f"CERESO – PTCE Sud Aquitaine {n}")
    slug = factory.Sequence(lambda n: f"cereso-ptce-{n}")
    start_date = dt.date(2018, 1, 1)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    partnership = factory.SubFactory(PartnershipFactory)
    title = "Entente CERESO – Le Tube à ESS'ai"


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Mission du CERESO à Tarnos {n}")
    slug = factory.Sequence(lambda n: f"mission-cereso-tarnos-{n}")
    direction = Mission.Direction.QC_TO_FR
    starts_at = factory.LazyFunction(lambda: dt.datetime(2023, 10, 16, 9, tzinfo=dt.UTC))
    ends_at = factory.LazyFunction(lambda: dt.datetime(2023, 10, 21, 17, tzinfo=dt.UTC))


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    mission = factory.SubFactory(MissionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    city = "Tarnos"


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    mission = factory.SubFactory(MissionFactory)
    text = "Consolider et signer l'entente entre le CERESO et Le Tube à ESS'ai"


class KnowHowTransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnowHowTransfer

    title = factory.Sequence(lambda n: f"ETIC → Figeacteurs : tiers-lieu {n}")
    slug = factory.Sequence(lambda n: f"etic-figeacteurs-{n}")
    provider = factory.SubFactory(OrganisationFactory, country="FR", kind=Organisation.Kind.ESS_ENTERPRISE)
    topic = KnowHowTransfer.Topic.THIRD_PLACE
    started_on = dt.date(2020, 3, 1)


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    transfer = factory.SubFactory(KnowHowTransferFactory)
    organisation = factory.SubFactory(OrganisationFactory, country="FR")
