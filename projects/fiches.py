"""The project fiche (issue 4 points 1–2): what it shows, the hash of it, and the request to (re)build it.

The PDF itself is rendered by `build_fiche`, called by the Celery tasks `projects.tasks.build_project_fiche`
and `programmes.tasks.build_booklet_chunk`, never in a request."""

import hashlib
import json

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation

from fabrique.pdf import render_html_to_pdf
from network.models import Departement
from programmes.models import Funding
from projects.models import FicheStatus, Indicator, Project, ProjectFiche, StageChange
from projects.selectors import current_holder

FICHE_TEMPLATE = "projects/fiche.html"


def fiche_queryset():
    """Projects with everything their fiches show, in a constant number of queries whatever their number:
    the projects with their structure, territory and programme, then one query per prefetched relation."""
    return Project.objects.select_related("structure", "territory", "programme").prefetch_related(
        Prefetch("territory__departements", queryset=Departement.objects.select_related("region")),
        Prefetch("programme__fundings", queryset=Funding.objects.select_related("partner")),
        Prefetch("stage_changes", queryset=StageChange.objects.order_by("changed_at", "pk")),
        "holder_assignments",
        Prefetch("indicators", queryset=Indicator.objects.order_by("kind", "measured_on")),
        "partners",
    )


def fiche_project(project_id: int) -> Project | None:
    """The project with everything its fiche shows (see `fiche_queryset`), or None if it is gone."""
    return fiche_queryset().filter(pk=project_id).first()


def fiche_context(project: Project) -> dict:
    """Everything the fiche shows, as plain values (labels already translated). `project` should come from
    `fiche_project` (else each relation costs a query). The generation date is added by `render_context`,
    so that it never changes the hash. The fiche is in the site's language (French) whatever the visitor's:
    labels translated otherwise would change the hash and make a current fiche look stale."""
    with translation.override(settings.LANGUAGE_CODE):
        return _fiche_values(project)


def _fiche_values(project: Project) -> dict:
    territory = project.territory
    departements = list(territory.departements.all())
    programme = project.programme
    holder = current_holder(project)
    return {
        "title": project.title,
        "structure": project.structure.name,
        "territory": territory.name,
        "territory_kind": territory.get_kind_display(),
        "is_qpv": territory.kind == territory.Kind.QPV,
        "is_rural": territory.kind == territory.Kind.RURAL,
        "departements": [f"{dep.name} ({dep.code})" for dep in departements],
        "regions": sorted({dep.region.name for dep in departements}),
        "programme": programme.name if programme else "",
        "funders": [
            {"name": funding.partner.name, "role": funding.get_role_display()}
            for funding in (programme.fundings.all() if programme else [])
        ],
        "sector": project.get_sector_display(),
        "stage": project.get_stage_display(),
        "stage_since": project.stage_changed_at,
        "stage_history": [
            {"stage": change.get_to_stage_display(), "date": change.changed_at}
            for change in project.stage_changes.all()
        ],
        "need": project.need,
        "solution": project.solution,
        "study_started_on": project.study_started_on,
        "study_completed_on": project.study_completed_on,
        "study_summary": project.study_summary,
        "study_conclusion": project.get_study_conclusion_display(),
        "started_on": project.started_on,
        "holder": holder.holder_name if holder else "",
        "holder_organisation": holder.holder_organisation if holder else "",
        "partners": sorted(partner.name for partner in project.partners.all()),
        "indicators": [
            {"kind": indicator.get_kind_display(), "value": indicator.value, "date": indicator.measured_on}
            for indicator in project.indicators.all()
        ],
        "key_lessons": project.key_lessons,
    }


def fiche_hash(context: dict) -> str:
    """sha256 of what the fiche shows (dates, decimals written as text), stable across processes."""
    payload = json.dumps(context, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def render_context(context: dict) -> dict:
    return {"fiche": context, "generated_at": timezone.now()}


def is_current(fiche: ProjectFiche, content_hash: str) -> bool:
    """A fiche that can be served as is: built, from the same data, its file still in storage."""
    return (
        fiche.status == FicheStatus.READY
        and fiche.content_hash == content_hash
        and bool(fiche.file)
        and fiche.file.storage.exists(fiche.file.name)
    )


def request_fiche(project: Project) -> ProjectFiche:
    """Makes sure the project's fiche is, or will be, up to date: unless it is current, marks it pending
    and queues its build once the transaction commits (the worker must see the committed data)."""
    from projects.tasks import build_project_fiche  # the task module imports this one

    fiche, _created = ProjectFiche.objects.get_or_create(project=project)
    loaded = fiche_project(project.pk)
    if loaded is not None and is_current(fiche, fiche_hash(fiche_context(loaded))):
        return fiche
    if fiche.status != FicheStatus.PENDING:
        fiche.status = FicheStatus.PENDING
        fiche.save(update_fields=["status"])
    project_id = project.pk
    transaction.on_commit(lambda: build_project_fiche.delay(project_id))
    return fiche


def build_fiche(project: Project) -> tuple[ProjectFiche, bool]:
    """Renders the fiche of `project` (loaded by `fiche_project`) and stores it, unless the stored one is
    current; returns the fiche and whether it was built. The fiche row stays locked meanwhile (on
    PostgreSQL), so two workers asked for the same fiche build it once: the second finds it current."""
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        fiche, _created = ProjectFiche.objects.select_for_update().get_or_create(project=project)
        context = fiche_context(project)
        content_hash = fiche_hash(context)
        if is_current(fiche, content_hash):
            return fiche, False
        pdf = render_html_to_pdf(FICHE_TEMPLATE, render_context(context))
        old_name = fiche.file.name if fiche.file else ""
        fiche.file.save(f"{project.slug}.pdf", ContentFile(pdf), save=False)
        fiche.status = FicheStatus.READY
        fiche.content_hash = content_hash
        fiche.built_at = timezone.now()
        fiche.error = ""
        fiche.attempts = 0
        fiche.save(update_fields=["file", "status", "content_hash", "built_at", "error", "attempts"])
    if old_name and old_name != fiche.file.name:
        fiche.file.storage.delete(old_name)
    return fiche, True
