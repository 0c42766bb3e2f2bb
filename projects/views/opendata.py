"""Open data (/donnees/): the published projects as CSV and JSON, and the page documenting their fields.

Open data is the public view of the network: whoever asks, staff included, gets the published projects
only, and only their public fields (never holders, notes, documents or people). The field list below is
the single source of both files' columns and of the documentation table, so they cannot drift apart."""

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from network.models import Departement, Territory
from projects.models import Project
from projects.views.export import CHUNK_SIZE, Echo, safe

# Re-users may fetch the files every few minutes: a short public cache spares the database.
CACHE_SECONDS = 300
LICENCE = "Licence Ouverte / Etalab 2.0"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


@dataclass(frozen=True)
class Field:
    """One column of the open data: its stable snake_case name and how it is documented."""

    name: str
    kind: Promise
    meaning: Promise
    example: str


TEXT, CODE, URL = _("texte"), _("code"), _("adresse web")
DATE, DATETIME = _("date (AAAA-MM-JJ)"), _("date et heure (ISO 8601)")
CODES = _("liste de codes (JSON : tableau ; CSV : séparés par « , »)")
TEXTS = _("liste de textes (JSON : tableau ; CSV : séparés par « , »)")

FIELDS = (
    Field("title", TEXT, _("Titre du projet."), "Garage solidaire du Pays de Guingamp"),
    Field("slug", CODE, _("Identifiant stable du projet."), "garage-solidaire-guingamp"),
    Field("url", URL, _("Adresse de la fiche publique du projet."), "https://…/projets/garage-solidaire/"),
    Field("structure_name", TEXT, _("Structure porteuse de la Fabrique qui accompagne le projet."), "TAg22"),
    Field("structure_slug", CODE, _("Identifiant stable de cette structure."), "tag22"),
    Field("territory_name", TEXT, _("Territoire du projet."), "Pays de Guingamp"),
    Field(
        "territory_kind",
        CODE,
        _("Type de territoire : region, departement, intercommunalite, pays, commune, qpv ou rural."),
        "rural",
    ),
    Field("departements", CODES, _("Codes INSEE des départements du territoire."), "22, 29"),
    Field("regions", TEXTS, _("Régions de ces départements."), "Bretagne"),
    Field("programme_slug", CODE, _("Identifiant du programme du projet ; vide sans programme."), "garages"),
    Field("programme_name", TEXT, _("Nom du programme ; vide sans programme."), "Garages solidaires"),
    Field("sector", CODE, _("Secteur d'activité (code stable)."), "mobility"),
    Field("sector_label", TEXT, _("Libellé français du secteur."), "Mobilité"),
    Field("stage", CODE, _("Étape : detection, invention, launch, launched ou abandoned."), "invention"),
    Field("stage_label", TEXT, _("Libellé français de l'étape."), "Inventer"),
    Field("published_at", DATETIME, _("Date de publication de la fiche."), "2025-01-15T10:30:00+01:00"),
    Field("started_on", DATE, _("Date de démarrage de l'activité ; vide avant."), "2025-09-01"),
    Field("need", TEXT, _("Besoin détecté sur le territoire."), "Des habitants sans solution de mobilité."),
    Field("solution", TEXT, _("Solution imaginée."), "Un garage associatif à prix solidaires."),
    Field(
        "study_conclusion",
        CODE,
        _("Conclusion de l'étude d'opportunité : pending, favourable ou unfavourable."),
        "favourable",
    ),
    Field("study_conclusion_label", TEXT, _("Libellé français de cette conclusion."), "Favorable"),
)
FIELD_NAMES = [field.name for field in FIELDS]


def published_projects() -> Iterator[Project]:
    """The published projects, oldest publication first, read CHUNK_SIZE at a time.

    Queries while the response streams: one SELECT per chunk (a server-side cursor on PostgreSQL) with the
    structure, territory and programme joined, and one per chunk for the départements with their région."""
    departements = Departement.objects.select_related("region").order_by("code")
    return (
        Project.objects.published()
        .for_list()
        .prefetch_related(Prefetch("territory__departements", queryset=departements))
        .order_by("published_at", "id")
        .iterator(chunk_size=CHUNK_SIZE)
    )


class RecordBuilder:
    """Turns a project into a dict keyed by FIELD_NAMES. Labels are French whatever the visitor's language,
    so that the files are the same for everyone; they are computed once, not per row."""

    def __init__(self, page_url: str) -> None:
        self.page_url = page_url  # with "__slug__" in place of the slug
        with translation.override("fr"):
            self.stages = {value: str(label) for value, label in Project.Stage.choices}
            self.sectors = {value: str(label) for value, label in Project.Sector.choices}
            self.conclusions = {value: str(label) for value, label in Project.StudyConclusion.choices}

    def record(self, project: Project) -> dict[str, Any]:
        territory: Territory = project.territory
        departements = list(territory.departements.all())
        programme = project.programme
        return {
            "title": project.title,
            "slug": project.slug,
            "url": self.page_url.replace("__slug__", project.slug),
            "structure_name": project.structure.name,
            "structure_slug": project.structure.slug,
            "territory_name": territory.name,
            "territory_kind": territory.kind,
            "departements": [d.code for d in departements],
            "regions": list(dict.fromkeys(d.region.name for d in departements)),
            "programme_slug": programme.slug if programme else None,
            "programme_name": programme.name if programme else None,
            "sector": project.sector,
            "sector_label": self.sectors.get(project.sector, project.sector),
            "stage": project.stage,
            "stage_label": self.stages.get(project.stage, project.stage),
            "published_at": timezone.localtime(project.published_at).isoformat(),
            "started_on": project.started_on.isoformat() if project.started_on else None,
            "need": project.need,
            "solution": project.solution,
            "study_conclusion": project.study_conclusion,
            "study_conclusion_label": self.conclusions.get(
                project.study_conclusion, project.study_conclusion
            ),
        }


def csv_cell(value: object) -> str:
    if isinstance(value, list):
        value = ", ".join(value)
    return safe(value)


def csv_lines(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(Echo(), delimiter=";")
    # Same format as the directory's export: BOM (Excel reads UTF-8), `;`, formula-looking cells escaped.
    yield "\ufeff" + writer.writerow(FIELD_NAMES)
    for record in records:
        yield writer.writerow([csv_cell(record[name]) for name in FIELD_NAMES])


def json_chunks(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield "["
    separator = "\n"
    for record in records:
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def open_response(request: HttpRequest, render_file: Callable, content_type: str) -> StreamingHttpResponse:
    builder = RecordBuilder(request.build_absolute_uri(reverse("projects:detail", args=["__slug__"])))
    records = (builder.record(project) for project in published_projects())
    response = StreamingHttpResponse(render_file(records), content_type=content_type)
    # Any site may read the files from a browser script; every visitor gets the same public content.
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def opendata_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = open_response(request, csv_lines, "text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="projets.csv"'
    return response


def opendata_json(request: HttpRequest) -> StreamingHttpResponse:
    return open_response(request, json_chunks, "application/json")


def opendata(request: HttpRequest) -> HttpResponse:
    """The page documenting the files. Queries: the count of published projects (and base.html's own)."""
    return render(
        request,
        "projects/opendata.html",
        {
            "fields": FIELDS,
            "published_count": Project.objects.published().count(),
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
        },
    )
