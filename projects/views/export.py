"""CSV export of the directory's list, with the same access rule, filters and sort, streamed for Excel."""

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext as _

from network.models import Territory
from network.resources import escape_formula
from projects.access import visible_projects
from projects.filters import ProjectFilterSet
from projects.models import Project

# Rows read from the database at a time: the list is never held whole in memory.
CHUNK_SIZE = 2000


class Echo:
    """A file-like object whose write() returns the line: csv.writer then yields lines, never a file."""

    def write(self, value: str) -> str:
        return value


def safe(value: object) -> str:
    # Formula-like cells behind an apostrophe (CSV injection), written as every export of the platform does.
    return escape_formula("" if value is None else str(value))


def headers() -> list[str]:
    return [
        _("Titre"),
        _("Étape"),
        _("Secteur"),
        _("Structure"),
        _("Territoire"),
        _("Type de territoire"),
        _("Départements"),
        _("Programme"),
        _("Besoin détecté"),
        _("Solution imaginée"),
        _("Publié"),
        _("Créé le"),
        _("Mis à jour le"),
        _("Adresse de la fiche"),
    ]


class RowWriter:
    """Turns a project into a CSV row. What is the same for every row (translated labels, date format,
    the page URL) is computed once: get_FOO_display() and date_format() per row and per column would
    triple the time of a 100,000-row export."""

    def __init__(self, page_url: str) -> None:
        self.page_url = page_url  # with "__slug__" in place of the slug
        self.stages = {value: str(label) for value, label in Project.Stage.choices}
        self.sectors = {value: str(label) for value, label in Project.Sector.choices}
        self.kinds = {value: str(label) for value, label in Territory.Kind.choices}
        self.yes, self.no = _("oui"), _("non")
        self.date_format = formats.get_format("SHORT_DATE_FORMAT")

    def date(self, moment: datetime) -> str:
        return dateformat.format(timezone.localtime(moment), self.date_format)

    def row(self, project: Project) -> list[str]:
        territory = project.territory
        values = (
            project.title,
            self.stages.get(project.stage, project.stage),
            self.sectors.get(project.sector, project.sector),
            project.structure.name,
            territory.name,
            self.kinds.get(territory.kind, territory.kind),
            ", ".join(f"{d.name} ({d.code})" for d in territory.departements.all()),
            project.programme.name if project.programme else "",
            project.need,
            project.solution,
            self.yes if project.is_published else self.no,
            self.date(project.created_at),
            self.date(project.updated_at),
            self.page_url.replace("__slug__", project.slug),
        )
        return [safe(value) for value in values]


def csv_lines(projects: Iterable[Project], writer: RowWriter) -> Iterator[str]:
    csv_writer = csv.writer(Echo(), delimiter=";")
    # The byte-order mark tells Excel the file is UTF-8 (accents); `;` is French Excel's separator.
    yield "\ufeff" + csv_writer.writerow(headers())
    for project in projects:
        yield csv_writer.writerow(writer.row(project))


def export(request: HttpRequest) -> StreamingHttpResponse:
    """The directory's list (every page) as CSV. Invalid filters are ignored, as on the page.

    Queries: the user's roles, then, while the response streams, one SELECT read CHUNK_SIZE rows at a time
    (a server-side cursor on PostgreSQL) and one query for the territories' départements per chunk."""
    filterset = ProjectFilterSet(request.GET, queryset=visible_projects(request.user), request=request)
    projects = (
        filterset.sorted_qs()
        .select_related("structure", "territory", "programme")
        .prefetch_related("territory__departements")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    page_url = request.build_absolute_uri(reverse("projects:detail", args=["__slug__"]))
    response = StreamingHttpResponse(
        csv_lines(projects, RowWriter(page_url)), content_type="text/csv; charset=utf-8"
    )
    filename = _("projets-%(date)s.csv") % {"date": timezone.localdate().isoformat()}
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
