"""One shared set of objects for the whole access table, built once per test module.

The six roles, as the platform knows them:
- `coordinator`: chargée de mission of TAg22 and of TAg35, the two structures whose objects the table asks
  for (a project, a dossier in preparation, a dossier under review, a proposed transfer);
- `outsider`: coordinator of ATIS, a labelled structure that sits on no committee here;
- `committee`: coordinator of Première Brique, labelled and seated on the committee that examines TAg35;
- `partner`: member of Fondation PSA, which funds the (unpublished) garages programme of TAg22's project;
- `staff`: Avise staff, with the TOTP authenticator staff must have.
"""

import datetime as dt
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.base import ContentFile
from django.utils import timezone

from fabrique.accounts import invitations
from fabrique.models import ImportRun, Invitation, User
from network.models import (
    AppellationApplication,
    ApplicationDocument,
    CommitteeMember,
    PeerCommittee,
    Structure,
)
from partnerships.models import Agreement, KnowHowTransfer, Mission, Objective, Partnership
from programmes.models import Programme
from projects.models import Document, Project
from tests import factories

ROLES = ("anonymous", "coordinator", "outsider", "committee", "partner", "staff")
PDF = b"%PDF-1.4\n%%EOF\n"


@dataclass(frozen=True)
class World:
    users: dict[str, User | None]
    tag22: Structure
    draft: AppellationApplication  # TAg22's dossier in preparation
    draft_document: ApplicationDocument
    tag35: Structure
    withdrawn: Structure
    reviewed: AppellationApplication  # TAg35's dossier, submitted and on the committee's agenda
    reviewed_document: ApplicationDocument
    committee: PeerCommittee
    project: Project  # TAg22's, unpublished, in the programme Fondation PSA funds
    published_project: Project
    project_outside_programme: Project  # TAg22's, unpublished, in no programme: the partner does not see it
    document: Document
    programme: Programme  # unpublished, funded by Fondation PSA
    published_programme: Programme
    unfunded_programme: Programme  # unpublished, and Fondation PSA has no part in it
    partnership: Partnership  # unpublished
    agreement: Agreement
    published_partnership: Partnership
    published_agreement: Agreement
    mission: Mission  # unpublished, with a report
    published_mission: Mission
    mission_of_unpublished_partnership: Mission  # published, but its partnership is not
    objective: Objective
    transfer: KnowHowTransfer  # proposed by the coordinator, not yet validated
    published_transfer: KnowHowTransfer
    import_run: ImportRun
    invitation: Invitation  # pending, for a future coordinator of TAg22


def coordinator_of(*structures: Structure, email: str) -> User:
    user = factories.UserFactory(email=email)
    for structure in structures:
        factories.CoordinatorFactory(user=user, structure=structure)
    return user


def build_world() -> World:
    tag22 = factories.StructureFactory(name="TAg22", slug="tag22")
    tag35 = factories.StructureFactory(name="TAg35", slug="tag35", phase=Structure.Phase.APPLICATION)
    atis = factories.StructureFactory(name="ATIS", slug="atis", labelled=True)
    # Withdrawn: no longer in the public directory, on the map or anywhere public.
    withdrawn = factories.StructureFactory(
        name="Courant Fort", slug="courant-fort", phase=Structure.Phase.WITHDRAWN
    )
    premiere_brique = factories.StructureFactory(
        name="Première Brique", slug="premiere-brique", labelled=True
    )
    staff = factories.StaffFactory(email="avise@example.org")
    if not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists():
        # Staff must have TOTP (fabrique.accounts.middleware), else every page sends them to activate it.
        TOTP.activate(staff, generate_totp_secret())
    partner_member = factories.PartnerMemberFactory(
        user__email="partenaire@fondation-psa.example.org", partner__name="Fondation PSA"
    )
    users = {
        "anonymous": None,
        "coordinator": coordinator_of(tag22, tag35, email="coordination@tag22.example.org"),
        "outsider": coordinator_of(atis, email="coordination@atis.example.org"),
        "committee": coordinator_of(premiere_brique, email="coordination@premiere-brique.example.org"),
        "partner": partner_member.user,
        "staff": staff,
    }

    # The appellation path: TAg22 prepares its dossier; TAg35's is under review by a committee on which
    # Première Brique sits, after an earlier deferral whose letter is ready.
    committee = factories.PeerCommitteeFactory(held_on=timezone.localdate() + dt.timedelta(days=30))
    CommitteeMember.objects.create(committee=committee, structure=premiere_brique)
    draft = factories.ApplicationFactory(structure=tag22)
    factories.ApplicationFactory(
        structure=tag35,
        status=AppellationApplication.Status.DECIDED,
        submitted_at=timezone.now() - dt.timedelta(days=400),
        decision=AppellationApplication.Decision.DEFERRED,
        decided_on=timezone.localdate() - dt.timedelta(days=365),
        letter_status="ready",
        letter=ContentFile(PDF, name="decision-tag35.pdf"),
    )
    reviewed = factories.ApplicationFactory(
        structure=tag35,
        committee=committee,
        status=AppellationApplication.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )

    def dossier_document(application: AppellationApplication) -> ApplicationDocument:
        return ApplicationDocument.objects.create(
            application=application,
            title="Rapport d'activité 2025",
            file=ContentFile(PDF, name="rapport.pdf"),
            content_type="application/pdf",
            size=len(PDF),
        )

    # Projects and programmes: the garages programme is a draft that Fondation PSA funds.
    programme = factories.ProgrammeFactory(name="Emergence de garages solidaires", is_published=False)
    factories.FundingFactory(programme=programme, partner=partner_member.partner)
    published_programme = factories.ProgrammeFactory(name="Silver Solidarités", slug="silver-solidarites")
    unfunded_programme = factories.ProgrammeFactory(name="Catalyseur", slug="catalyseur", is_published=False)
    project = factories.ProjectFactory(
        title="Garage solidaire de Lannion", slug="garage-lannion", structure=tag22, programme=programme
    )
    project_outside_programme = factories.ProjectFactory(
        title="Conciergerie itinérante du Trégor", slug="conciergerie-tregor", structure=tag22
    )
    published_project = factories.ProjectFactory(
        title="Conciergerie solidaire de Saint-Brieuc",
        slug="conciergerie-saint-brieuc",
        structure=tag22,
        is_published=True,
        published_at=timezone.now(),
    )

    # Partnerships: one unpublished (staff only) and one published, each with a document.
    partnership = factories.PartnershipFactory(title="Avise – Pôles du Québec", is_published=False)
    published_partnership = factories.PartnershipFactory(title="CERESO – PTCE Sud Aquitaine")
    mission = factories.MissionFactory(
        title="Mission Lanaudière 2026",
        partnership=published_partnership,
        is_published=False,
        report=ContentFile(PDF, name="rapport.pdf"),
    )
    published_mission = factories.MissionFactory(
        title="Mission Tarnos 2023",
        partnership=published_partnership,
        report=ContentFile(PDF, name="rapport.pdf"),
    )

    mission_of_unpublished_partnership = factories.MissionFactory(
        title="Mission Québec 2025", partnership=partnership, report=ContentFile(PDF, name="rapport.pdf")
    )

    def agreement(of: Partnership) -> Agreement:
        return factories.AgreementFactory(partnership=of, document=ContentFile(PDF, name="entente.pdf"))

    transfer = factories.KnowHowTransferFactory(title="GRAP → Coopilote", proposed_by=users["coordinator"])
    published_transfer = factories.KnowHowTransferFactory(
        title="Villages vivants → ATIS : foncière solidaire",
        status=KnowHowTransfer.Status.VALIDATED,
        is_published=True,
    )
    import_run = ImportRun.objects.create(
        created_by=staff,
        kind="projets",
        file=ContentFile(b"Titre\n", name="projets.csv"),
        file_name="projets.csv",
    )
    invitation = invitations.invite(
        invited_by=staff,
        email="nouvelle.coordination@tag22.example.org",
        structures=[tag22],
        base_url="http://testserver",
    )
    return World(
        users=users,
        tag22=tag22,
        draft=draft,
        draft_document=dossier_document(draft),
        tag35=tag35,
        withdrawn=withdrawn,
        reviewed=reviewed,
        reviewed_document=dossier_document(reviewed),
        committee=committee,
        project=project,
        published_project=published_project,
        project_outside_programme=project_outside_programme,
        document=factories.DocumentFactory(project=project),
        programme=programme,
        published_programme=published_programme,
        unfunded_programme=unfunded_programme,
        partnership=partnership,
        agreement=agreement(partnership),
        published_partnership=published_partnership,
        published_agreement=agreement(published_partnership),
        mission=mission,
        published_mission=published_mission,
        mission_of_unpublished_partnership=mission_of_unpublished_partnership,
        objective=factories.ObjectiveFactory(mission=mission),
        transfer=transfer,
        published_transfer=published_transfer,
        import_run=import_run,
        invitation=invitation,
    )
