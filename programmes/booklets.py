"""The programme booklet (« carnet », issue 4 point 3): which fiches it holds, the hash of what it shows,
the request to (re)build it, and its assembly.

How it is built (tasks in `programmes.tasks`, never in a request): `request_booklet` splits the
programme's published projects in chunks of `settings.BOOKLET_CHUNK_SIZE` and queues one task per chunk;
each chunk task makes its fiches current with `projects.fiches.build_fiche` (a fiche already current is
reused as is, so the booklet and the fiches downloaded one by one are the same documents); the task that
finishes the last chunk queues the assembly: cover and table of contents rendered by WeasyPrint, then the
fiches' PDFs appended in order with a bookmark each. Several workers thus share the rendering."""

import datetime as dt
import hashlib
import io
import json
import math
import uuid
from dataclasses import dataclass

import pypdf
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fabrique.pdf import render_pdf
from fabrique.pdf_stamp import stamp_page_numbers
from programmes.models import BookletStatus, Funding, Programme, ProgrammeBooklet
from projects.fiches import fiche_context, fiche_hash, fiche_queryset
from projects.models import Project

FRONT_TEMPLATE = "programmes/booklet_front.html"
SINGLE_DOCUMENT_TEMPLATE = "programmes/booklet_single.html"
# A build still pending after this long is taken as lost (worker killed…): the next request restarts it.
LOST_AFTER = dt.timedelta(minutes=30)
TOC_ENTRIES_PER_PAGE = 30


class BookletIncomplete(Exception):
    """A fiche the booklet needs has no PDF at assembly time (deleted meanwhile): the assembly fails."""


@dataclass(frozen=True)
class TocEntry:
    title: str
    structure: str
    page: int | None


def booklet_projects(programme: Programme) -> QuerySet[Project]:
    """The projects the booklet holds, in its order: the programme's published projects by title."""
    return Project.objects.filter(programme=programme).published().order_by(Lower("title"), "pk")


def cover_values(programme: Programme) -> dict:
    """What the cover shows, as plain values (it enters the booklet's hash)."""
    fundings = Funding.objects.filter(programme=programme).select_related("partner").order_by("partner__name")
    with translation.override(settings.LANGUAGE_CODE):
        funders = [
            {"name": funding.partner.name, "role": str(funding.get_role_display())} for funding in fundings
        ]
    return {
        "name": programme.name,
        "theme": programme.theme,
        "summary": programme.summary,
        "start_date": programme.start_date,
        "end_date": programme.end_date,
        "funders": funders,
    }


def booklet_state(programme: Programme) -> tuple[str, list[int]]:
    """The hash of what the booklet would show now (its cover and every fiche's own hash, in order) and
    the ordered ids of its projects. A constant number of queries whatever the number of projects."""
    projects = list(fiche_queryset().filter(pk__in=booklet_projects(programme).values("pk")))
    projects.sort(key=lambda project: (project.title.lower(), project.pk))
    payload = {
        "cover": cover_values(programme),
        "fiches": [[project.pk, fiche_hash(fiche_context(project))] for project in projects],
    }
    encoded = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest(), [project.pk for project in projects]


def is_current(booklet: ProgrammeBooklet, content_hash: str) -> bool:
    return (
        booklet.status == BookletStatus.READY
        and booklet.content_hash == content_hash
        and bool(booklet.file)
        and booklet.file.storage.exists(booklet.file.name)
    )


def is_being_built(booklet: ProgrammeBooklet, content_hash: str) -> bool:
    return (
        booklet.status == BookletStatus.PENDING
        and booklet.build_id is not None
        and booklet.pending_hash == content_hash
        and booklet.requested_at is not None
        and booklet.requested_at > timezone.now() - LOST_AFTER
    )


def chunks(project_ids: list[int], size: int) -> list[list[int]]:
    return [project_ids[start : start + size] for start in range(0, len(project_ids), size)]


def request_booklet(programme: Programme, requested_by=None, force: bool = False) -> ProgrammeBooklet:
    """Makes sure the programme's booklet is, or will be, up to date. Unless it is current (or `force`, for
    staff after a change of the templates), starts a build — or lets the one in progress for the same
    data go on — and records `requested_by` to be told by e-mail when the booklet is ready."""
    from programmes.tasks import queue_booklet_build  # the tasks module imports this one

    with transaction.atomic():
        booklet, _created = ProgrammeBooklet.objects.select_for_update().get_or_create(programme=programme)
        content_hash, project_ids = booklet_state(programme)
        if not force and is_current(booklet, content_hash):
            return booklet
        if requested_by is not None and requested_by.is_authenticated and requested_by.email:
            booklet.subscribers.add(requested_by)
        if not force and is_being_built(booklet, content_hash):
            return booklet
        booklet.build_id = uuid.uuid4()
        booklet.status = BookletStatus.PENDING
        booklet.pending_hash = content_hash
        booklet.project_ids = project_ids
        booklet.fiches_total = len(project_ids)
        booklet.fiches_done = 0
        parts = chunks(project_ids, settings.BOOKLET_CHUNK_SIZE)
        booklet.chunks_total = len(parts)
        booklet.chunks_done = 0
        booklet.requested_at = timezone.now()
        booklet.error = ""
        booklet.save()
        booklet_id, build_id = booklet.pk, str(booklet.build_id)
        # The workers must see the committed build: queue once the transaction commits.
        transaction.on_commit(lambda: queue_booklet_build(booklet_id, build_id, parts))
    return booklet


def toc_entries(projects: list[Project], page_counts: list[int] | None, front_pages: int) -> list[TocEntry]:
    """One entry per fiche with the page it starts on (None when the page counts are unknown)."""
    entries = []
    page = front_pages + 1
    for index, project in enumerate(projects):
        entries.append(TocEntry(project.title, project.structure.name, page if page_counts else None))
        if page_counts:
            page += page_counts[index]
    return entries


def front_context(programme: Programme, entries: list[TocEntry]) -> dict:
    return {"cover": cover_values(programme), "entries": entries, "generated_at": timezone.now()}


def render_front(programme: Programme, projects: list[Project], page_counts: list[int]) -> bytes:
    """The cover and table of contents as PDF. The table's page numbers depend on its own length: render
    with a guess, count its pages, and render again until the count holds (twice in practice)."""
    # First guess: the cover, then about TOC_ENTRIES_PER_PAGE entries a page; mostly right the first time.
    front_pages = 1 + max(1, math.ceil(len(projects) / TOC_ENTRIES_PER_PAGE))
    for _attempt in range(4):
        entries = toc_entries(projects, page_counts, front_pages)
        with translation.override(settings.LANGUAGE_CODE):
            pdf = render_pdf(render_to_string(FRONT_TEMPLATE, front_context(programme, entries)))
        rendered_pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        if rendered_pages == front_pages:
            return pdf
        front_pages = rendered_pages
    return pdf


def assemble(programme: Programme, project_ids: list[int]) -> bytes:
    """The booklet's PDF: cover and table of contents, then each project's current fiche file, in order,
    with a bookmark per fiche. Raises BookletIncomplete if a fiche has no file."""
    projects_by_id = {
        project.pk: project
        for project in Project.objects.filter(pk__in=project_ids).select_related("structure", "fiche")
    }
    projects, readers = [], []
    for project_id in project_ids:
        project = projects_by_id.get(project_id)
        if project is None:
            continue  # deleted since the request: the booklet leaves it out
        fiche = getattr(project, "fiche", None)
        if fiche is None or not fiche.file:
            raise BookletIncomplete(f"La fiche du projet {project_id} n'a pas de fichier.")
        with fiche.file.open("rb") as handle:
            readers.append(pypdf.PdfReader(io.BytesIO(handle.read())))
        projects.append(project)
    front = render_front(programme, projects, [len(reader.pages) for reader in readers])
    writer = pypdf.PdfWriter()
    writer.append(io.BytesIO(front))
    for project, reader in zip(projects, readers, strict=True):
        writer.append(reader, outline_item=project.title)
    number_pages(writer, programme)
    writer.add_metadata({"/Title": f"Carnet — {programme.name}", "/Author": "Fabrique à initiatives"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def number_pages(writer: pypdf.PdfWriter, programme: Programme) -> None:
    """Stamps the booklet's own page numbers (those of the table of contents) at the bottom left of every
    page but the cover: each fiche keeps its own « 1 / 2 » at the bottom right, as when downloaded alone."""
    with translation.override(settings.LANGUAGE_CODE):
        label = _("Carnet « %(programme)s » — page ") % {"programme": programme.name}
    stamp_page_numbers(writer, label, first_page=2)


def single_document_html(programme: Programme) -> str:
    """Cover, table of contents and every fiche of the booklet in ONE HTML document: what a single
    WeasyPrint call would render without the chunked build (the benchmark's point of comparison)."""
    projects = list(fiche_queryset().filter(pk__in=booklet_projects(programme).values("pk")))
    projects.sort(key=lambda project: (project.title.lower(), project.pk))
    with translation.override(settings.LANGUAGE_CODE):
        # `anchor` keeps each fiche's ids unique in the one document.
        fiches = [{**fiche_context(project), "anchor": f"fiche-{project.pk}-"} for project in projects]
        context = front_context(programme, toc_entries(projects, None, 0))
        context["fiches"] = fiches
        return render_to_string(SINGLE_DOCUMENT_TEMPLATE, context)
