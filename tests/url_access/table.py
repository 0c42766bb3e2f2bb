"""ACCESS: the expected answer of every named route to each role, the platform's own pages (the account
pages are in `accounts`, the admin is one rule in tests/test_url_access.py).

Each entry states the rule of the app's access module (projects/access.py, programmes/access.py,
network/appellation/access.py, partnerships/access.py, the staff-only decorators): 404 for what the user
may not see, 403 for what they see but may not do, the login page for a signed-out visitor on a page that
needs an account. POST-only routes are sent an empty POST: once access is granted the form refuses it
(400), shows a confirmation page (200) or, where nothing is required, acts and redirects (302).

A key `name@variant` checks the same route on another object (e.g. a published project)."""

from tests.url_access.accounts import ACCOUNT_ROUTES
from tests.url_access.expect import (
    DENIED,
    HIDDEN,
    INVALID,
    LOGIN,
    OK,
    Expect,
    Route,
    everyone,
    redirect,
    route,
    secret,
    signed_in,
    staff_only,
    staff_sees,
)
from tests.url_access.world import World

# The project's readers: its structure's coordinator, the partner funding its programme, the staff.
PROJECT_READERS = {**everyone(HIDDEN), "coordinator": OK, "partner": OK, "staff": OK}


def project_writers(answer: Expect) -> dict[str, Expect]:
    """A change to TAg22's project: `answer` for its coordinator and the staff, 403 for the partner who reads
    it, 404 for whoever does not see it."""
    return {**PROJECT_READERS, "coordinator": answer, "partner": DENIED, "staff": answer}


def project(world: World) -> dict:
    return {"slug": world.project.slug}


def published_project(world: World) -> dict:
    return {"slug": world.published_project.slug}


def project_outside_programme(world: World) -> dict:
    return {"slug": world.project_outside_programme.slug}


def project_document(world: World) -> dict:
    return {"slug": world.project.slug, "pk": world.document.pk}


def draft_dossier(world: World) -> dict:
    return {"slug": world.tag22.slug}


def draft_dossier_document(world: World) -> dict:
    return {"slug": world.tag22.slug, "pk": world.draft_document.pk}


def reviewed_dossier(world: World) -> dict:
    return {"slug": world.tag35.slug}


def reviewed_dossier_document(world: World) -> dict:
    return {"slug": world.tag35.slug, "pk": world.reviewed_document.pk}


def committee(world: World) -> dict:
    return {"pk": world.committee.pk}


def committee_decision(world: World) -> dict:
    return {"pk": world.committee.pk, "application_pk": world.reviewed.pk}


def tag22(world: World) -> dict:
    return {"slug": world.tag22.slug}


def programme(world: World) -> dict:
    return {"slug": world.programme.slug}


def published_programme(world: World) -> dict:
    return {"slug": world.published_programme.slug}


def unfunded_programme(world: World) -> dict:
    return {"slug": world.unfunded_programme.slug}


def partnership(world: World) -> dict:
    return {"slug": world.partnership.slug}


def published_partnership(world: World) -> dict:
    return {"slug": world.published_partnership.slug}


def agreement_document(world: World) -> dict:
    return {"slug": world.partnership.slug, "pk": world.agreement.pk}


def published_agreement_document(world: World) -> dict:
    return {"slug": world.published_partnership.slug, "pk": world.published_agreement.pk}


def agreement(world: World) -> dict:
    return {"pk": world.agreement.pk}


def mission(world: World) -> dict:
    return {"slug": world.mission.slug}


def published_mission(world: World) -> dict:
    return {"slug": world.published_mission.slug}


def mission_of_unpublished_partnership(world: World) -> dict:
    return {"slug": world.mission_of_unpublished_partnership.slug}


def objective(world: World) -> dict:
    return {"pk": world.objective.pk}


def transfer(world: World) -> dict:
    return {"slug": world.transfer.slug}


def published_transfer(world: World) -> dict:
    return {"slug": world.published_transfer.slug}


def import_run(world: World) -> dict:
    return {"pk": world.import_run.pk}


def projects_csv(world: World) -> dict:
    return {"kind": "projets", "extension": "csv"}


# What list pages must not name to whoever may not read it (and must name to whoever may).
def project_title(world: World) -> str:
    return world.project.title


def withdrawn_name(world: World) -> str:
    return world.withdrawn.name


def programme_name(world: World) -> str:
    return world.programme.name


def partnership_title(world: World) -> str:
    return world.partnership.title


def mission_title(world: World) -> str:
    return world.mission.title


def transfer_title(world: World) -> str:
    return world.transfer.title


def title_outside_programme(world: World) -> str:
    return world.project_outside_programme.title


# The lists of projects a user reads: the partner's programme's project, not TAg22's others.
UNPUBLISHED_PROJECT = (
    secret(project_title, "coordinator", "partner", "staff"),
    secret(title_outside_programme, "coordinator", "staff"),
)
PUBLISHED_PROJECTS_ONLY = (secret(project_title), secret(title_outside_programme))
PUBLIC_STRUCTURES_ONLY = (secret(withdrawn_name),)
PUBLISHED_PROGRAMMES_ONLY = (secret(programme_name),)


# A proposed transfer: its author (the coordinator) and the staff read it; managing it is the staff's.
TRANSFER_MANAGERS = {**signed_in(HIDDEN), "coordinator": DENIED, "staff": OK}
# TAg22's dossier in preparation: its coordinator writes it; the staff read it but do not write it; the
# committee member sees nothing of it (it is on no committee).
DRAFT_WRITERS = {**everyone(HIDDEN), "staff": DENIED}
# TAg35's dossier under review: its coordinator, the committee's member and the staff read it.
REVIEWED_READERS = {**everyone(HIDDEN), "coordinator": OK, "committee": OK, "staff": OK}
POST = "POST"

PLATFORM_ROUTES: dict[str, Route] = {
    "home": route(secrets=PUBLISHED_PROGRAMMES_ONLY, **everyone(OK)),
    # The services' state, for anyone (a monitor has no account): 503 when one is down.
    "health": route(**everyone(Expect(200, also=(503,)))),
    "set_language": route(method=POST, **everyone(redirect("home"))),
    # --- projects --------------------------------------------------------------------------------------
    "projects:workspace": route(secrets=UNPUBLISHED_PROJECT, **signed_in(OK)),
    "projects:directory": route(secrets=UNPUBLISHED_PROJECT, **everyone(OK)),
    "projects:export": route(secrets=UNPUBLISHED_PROJECT, **everyone(OK)),
    "projects:create": route(**{**signed_in(OK), "partner": DENIED}),
    "projects:detail": route(project, **PROJECT_READERS),
    "projects:detail@published": route(published_project, **everyone(OK)),
    # The partner reads only the projects of the programmes their organisation is part of.
    "projects:detail@outside-programme": route(
        project_outside_programme, **{**PROJECT_READERS, "partner": HIDDEN}
    ),
    "projects:edit": route(project, **{**project_writers(OK), "anonymous": LOGIN}),
    "projects:edit@outside-programme": route(
        project_outside_programme, **{**project_writers(OK), "anonymous": LOGIN, "partner": HIDDEN}
    ),
    "projects:move": route(project, method=POST, **project_writers(INVALID)),
    "projects:assign_holder": route(project, method=POST, **project_writers(INVALID)),
    "projects:add_indicator": route(project, method=POST, **project_writers(INVALID)),
    "projects:add_document": route(project, method=POST, **project_writers(INVALID)),
    "projects:document": route(project_document, **PROJECT_READERS),
    "projects:fiche": route(project, **PROJECT_READERS),
    "projects:fiche@published": route(published_project, **everyone(OK)),
    # The HTML preview of the fiche is the staff's; readers of the project get 403.
    "projects:fiche@html-preview": route(
        project, query={"format": "html"}, **{**project_writers(DENIED), "staff": OK}
    ),
    "projects:fiche_status": route(project, **PROJECT_READERS),
    # Publishing an incomplete project is refused with its reasons (400).
    "projects:publish": route(project, method=POST, **project_writers(INVALID)),
    # Unpublishing asks for confirmation first (200).
    "projects:unpublish": route(
        published_project, method=POST, **{**everyone(DENIED), "coordinator": OK, "staff": OK}
    ),
    "projects:dashboard": route(**staff_only()),
    "projects:opendata": route(**everyone(OK)),
    "projects:opendata_csv": route(secrets=PUBLISHED_PROJECTS_ONLY, **everyone(OK)),
    "projects:opendata_json": route(secrets=PUBLISHED_PROJECTS_ONLY, **everyone(OK)),
    # --- network -----------------------------------------------------------------------------------------
    "network:directory": route(secrets=PUBLIC_STRUCTURES_ONLY, **everyone(OK)),
    "network:map": route(secrets=PUBLIC_STRUCTURES_ONLY, **everyone(OK)),
    "network:geojson": route(secrets=PUBLIC_STRUCTURES_ONLY, **everyone(OK)),
    "network:detail": route(tag22, secrets=PUBLISHED_PROJECTS_ONLY, **everyone(OK)),
    "network:appellation": route(reviewed_dossier, **REVIEWED_READERS),
    "network:appellation@draft": route(draft_dossier, **{**DRAFT_WRITERS, "coordinator": OK, "staff": OK}),
    # TAg22 already has a dossier open: its coordinator may start one, the rules refuse a second (400).
    "network:appellation_start": route(
        draft_dossier, method=POST, **{**DRAFT_WRITERS, "coordinator": INVALID}
    ),
    "network:appellation_update": route(
        draft_dossier,
        method=POST,
        **{**DRAFT_WRITERS, "coordinator": redirect("network:appellation", draft_dossier)},
    ),
    "network:appellation_add_document": route(
        draft_dossier, method=POST, **{**DRAFT_WRITERS, "coordinator": INVALID}
    ),
    # Removing a document asks for confirmation first (200).
    "network:appellation_delete_document": route(
        draft_dossier_document, method=POST, **{**DRAFT_WRITERS, "coordinator": OK}
    ),
    # An incomplete dossier cannot be submitted: the reasons are shown (400).
    "network:appellation_submit": route(
        draft_dossier, method=POST, **{**DRAFT_WRITERS, "coordinator": INVALID}
    ),
    "network:appellation_submit@submitted": route(
        reviewed_dossier,
        method=POST,
        **{**REVIEWED_READERS, "coordinator": DENIED, "committee": DENIED, "staff": DENIED},
    ),
    # Only the committee's members give an opinion; an empty one is refused (400).
    "network:appellation_opinion": route(
        reviewed_dossier,
        method=POST,
        **{**REVIEWED_READERS, "coordinator": DENIED, "committee": INVALID, "staff": DENIED},
    ),
    "network:appellation_document": route(reviewed_dossier_document, **REVIEWED_READERS),
    "network:appellation_document@draft": route(
        draft_dossier_document, **{**DRAFT_WRITERS, "coordinator": OK, "staff": OK}
    ),
    # The decision letter is the applicant's and the staff's, not the committee member's.
    "network:appellation_letter": route(reviewed_dossier, **{**REVIEWED_READERS, "committee": DENIED}),
    "network:appellation_staff": route(**staff_only()),
    "network:appellation_committees": route(**staff_only()),
    "network:appellation_committee_create": route(**staff_only()),
    "network:appellation_committee": route(committee, **staff_only()),
    "network:appellation_committee_attach": route(committee, method=POST, **staff_only(INVALID)),
    # No box ticked is a valid choice (the session's seats are cleared): back to the session's page.
    "network:appellation_committee_members": route(
        committee, method=POST, **staff_only(redirect("network:appellation_committee", committee))
    ),
    "network:appellation_committee_conflict": route(committee, method=POST, **staff_only(INVALID)),
    "network:appellation_decision": route(committee_decision, method=POST, **staff_only(INVALID)),
    "network:appellation_phase": route(tag22, **staff_only()),
    # --- programmes and the partner portal -------------------------------------------------------------
    "programmes:list": route(secrets=PUBLISHED_PROGRAMMES_ONLY, **everyone(OK)),
    "programmes:detail": route(published_programme, **everyone(OK)),
    # An unpublished programme has no public page, whoever asks (the staff read it in the admin).
    "programmes:detail@unpublished": route(programme, **everyone(HIDDEN)),
    "programmes:booklet": route(programme, **{**everyone(HIDDEN), "partner": OK, "staff": OK}),
    "programmes:booklet@published": route(published_programme, **everyone(OK)),
    "programmes:booklet@unfunded": route(unfunded_programme, **staff_sees()),
    # Asked before any build was requested, the progress fragment must still answer (it answered 500).
    "programmes:booklet_status": route(programme, **{**everyone(HIDDEN), "partner": OK, "staff": OK}),
    "programmes:booklet_rebuild": route(
        programme,
        method=POST,
        **{**everyone(HIDDEN), "partner": DENIED, "staff": redirect("programmes:booklet", programme)},
    ),
    "programmes:portal": route(
        secrets=(secret(programme_name, "partner", "staff"),),
        **{**signed_in(DENIED), "partner": OK, "staff": OK},
    ),
    "programmes:portal_programme": route(programme, **{**signed_in(DENIED), "partner": OK, "staff": OK}),
    "programmes:portal_programme@unfunded": route(
        unfunded_programme, **{**signed_in(DENIED), "partner": HIDDEN, "staff": OK}
    ),
    # --- partnerships, missions, transfers ---------------------------------------------------------------
    "partnerships:list": route(secrets=(secret(partnership_title, "staff"),), **everyone(OK)),
    "partnerships:detail": route(partnership, **staff_sees()),
    "partnerships:detail@published": route(
        published_partnership, secrets=(secret(mission_title, "staff"),), **everyone(OK)
    ),
    "partnerships:agreement_document": route(agreement_document, **staff_sees()),
    "partnerships:agreement_document@published": route(published_agreement_document, **everyone(OK)),
    "partnerships:missions": route(secrets=(secret(mission_title, "staff"),), **everyone(OK)),
    # The feed is the public one whoever subscribes, staff included.
    "partnerships:missions_ics": route(secrets=(secret(mission_title),), **everyone(OK)),
    # An unknown zone is refused with a message and the reader goes back to the missions.
    "partnerships:timezone_choice": route(method=POST, **everyone(redirect("partnerships:missions"))),
    "partnerships:mission_detail": route(mission, **staff_sees()),
    "partnerships:mission_detail@published": route(published_mission, **everyone(OK)),
    "partnerships:mission_report": route(mission, **staff_sees()),
    "partnerships:mission_report@published": route(published_mission, **everyone(OK)),
    # A published mission of an unpublished partnership stays hidden with it.
    "partnerships:mission_detail@unpublished-partnership": route(
        mission_of_unpublished_partnership, **staff_sees()
    ),
    "partnerships:mission_report@unpublished-partnership": route(
        mission_of_unpublished_partnership, **staff_sees()
    ),
    "partnerships:transfers": route(
        secrets=(secret(transfer_title, "coordinator", "staff"),), **everyone(OK)
    ),
    "partnerships:transfer_propose": route(**{**signed_in(OK), "partner": DENIED}),
    "partnerships:transfer_detail": route(transfer, **{**staff_sees(), "coordinator": OK}),
    "partnerships:transfer_detail@published": route(published_transfer, **everyone(OK)),
    "partnerships:transfer_edit": route(transfer, **TRANSFER_MANAGERS),
    "partnerships:transfer_validate": route(transfer, **TRANSFER_MANAGERS),
    "partnerships:transfer_unpublish": route(transfer, **TRANSFER_MANAGERS),
    "partnerships:manage_partnerships": route(**staff_only()),
    "partnerships:manage_partnership_create": route(**staff_only()),
    "partnerships:manage_partnership_edit": route(partnership, **staff_only()),
    "partnerships:manage_agreement_create": route(partnership, **staff_only()),
    "partnerships:manage_agreement_edit": route(agreement, **staff_only()),
    "partnerships:manage_missions": route(**staff_only()),
    "partnerships:manage_mission_create": route(**staff_only()),
    "partnerships:manage_mission_edit": route(mission, **staff_only()),
    "partnerships:manage_mission_delete": route(mission, **staff_only()),
    # An empty outcome is refused with a message, back to the mission's form.
    "partnerships:manage_objective": route(
        objective, method=POST, **staff_only(redirect("partnerships:manage_mission_edit", mission))
    ),
    # --- spreadsheets ------------------------------------------------------------------------------------
    "spreadsheets:import": route(**staff_only()),
    "spreadsheets:history": route(**staff_only()),
    "spreadsheets:run": route(import_run, **staff_only()),
    "spreadsheets:confirm": route(
        import_run, method=POST, **staff_only(redirect("spreadsheets:run", import_run))
    ),
    "spreadsheets:progress": route(import_run, **staff_only()),
    "spreadsheets:export": route(projects_csv, **staff_only()),
}

ACCESS: dict[str, Route] = {**PLATFORM_ROUTES, **ACCOUNT_ROUTES}
