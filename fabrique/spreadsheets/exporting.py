"""The staff's exports of the importable lists (issue 7, point 4), as CSV or XLSX, with the columns the
import reads: each row is written by the list's django-import-export resource, so that an exported file,
edited or not, imports back with every unchanged row reported unchanged.

The rows are those of the list page the export link comes from, filtered by the same query string through
the same FilterSet (projects, structures, transfers); the other lists have no filters. Memory stays
bounded whatever the number of rows: the rows are read CHUNK_SIZE at a time, the CSV is streamed line by
line and the XLSX is written row by row to a temporary file.

A cell a spreadsheet would run as a formula is written behind an apostrophe by the resource
(`NaturalKeyResource.export_field`); the import drops it again (`before_import_row`)."""

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# Rows read from the database at a time (and, with them, one query per prefetched relation): the list is
# never held whole in memory.
CHUNK_SIZE = 1000
# What French Excel reads without asking: UTF-8 announced by its byte-order mark, « ; » between cells.
CSV_DELIMITER = ";"
BYTE_ORDER_MARK = "\ufeff"


# --- The rows of each list, as its page filters them -----------------------------------------------------


def projects(request: HttpRequest) -> QuerySet:
    from projects.access import visible_projects
    from projects.filters import ProjectFilterSet

    # The directory's filters and sort; invalid values are ignored, as on the page.
    filterset = ProjectFilterSet(request.GET, queryset=visible_projects(request.user), request=request)
    return filterset.sorted_qs()


def structures(request: HttpRequest) -> QuerySet:
    from network.filters import StructureFilterSet
    from network.models import Structure

    # Every structure, candidates and withdrawn ones included (the staff export the whole network, which
    # the public directory does not show), narrowed by the directory's région and phase filters.
    queryset = Structure.objects.order_by("name", "pk")
    return StructureFilterSet(request.GET, queryset=queryset, request=request).qs


def missions(request: HttpRequest) -> QuerySet:
    from partnerships.access import visible_missions

    return visible_missions(request.user).order_by("starts_at", "pk")


def transfers(request: HttpRequest) -> QuerySet:
    from partnerships.access import visible_transfers
    from partnerships.transfer_filters import TransferFilterSet

    queryset = visible_transfers(request.user).order_by("-started_on", "title", "pk")
    return TransferFilterSet(request.GET, queryset=queryset, request=request).qs


def unfiltered(model_path: str) -> Callable[[HttpRequest], QuerySet]:
    """The rows of a list that has no page of its own with filters (territories, partners, programmes)."""

    def rows(request: HttpRequest) -> QuerySet:
        from django.apps import apps

        return apps.get_model(model_path).objects.order_by("name", "pk")

    return rows


# Importable key (fabrique.spreadsheets.registry) → the rows its export writes for this request.
SOURCES: dict[str, Callable[[HttpRequest], QuerySet]] = {
    "structures": structures,
    "territoires": unfiltered("network.Territory"),
    "partenaires": unfiltered("programmes.Partner"),
    "programmes": unfiltered("programmes.Programme"),
    "projets": projects,
    "missions": missions,
    "transferts": transfers,
}


def export_queryset(kind: str, request: HttpRequest) -> QuerySet:
    return SOURCES[kind](request)


# --- Cells and rows --------------------------------------------------------------------------------------


def cell(value: Any) -> str:
    """A value the resource rendered (formula-like text already escaped by the resource), as text."""
    return "" if value is None else str(value)


def headers(resource) -> list[str]:
    """The French column headers, as the import reads them."""
    return [cell(header) for header in resource.get_export_headers()]


def rows(resource, queryset: QuerySet) -> Iterator[list[str]]:
    """The rows of `queryset` as the resource exports them, read CHUNK_SIZE at a time with the relations
    the resource names (`export_related`, `export_prefetched`: one query each per chunk)."""
    queryset = resource.filter_export(queryset)
    for instance in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [cell(value) for value in resource.export_resource(instance)]


# --- Files -----------------------------------------------------------------------------------------------


class Echo:
    """A file-like object whose write() returns the line: csv.writer then yields lines, never a file."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], lines: Iterable[list[str]]) -> Iterator[str]:
    """The CSV file line by line, for a StreamingHttpResponse. Cells holding « ; », quotes or line breaks
    are quoted, as the import's reader expects."""
    writer = csv.writer(Echo(), delimiter=CSV_DELIMITER)
    yield BYTE_ORDER_MARK + writer.writerow(header)
    for line in lines:
        yield writer.writerow(line)


def xlsx_file(header: list[str], lines: Iterable[list[str]], title: str) -> IO[bytes]:
    """The XLSX file in an anonymous temporary file (deleted when closed), positioned at its start.

    A write-only workbook keeps no row in memory once written; every cell is text, as the CSV's, so that
    a slug « 2024 » or a code « 01 » come back as written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])  # Excel's limit on a sheet's name
    sheet.append(header)
    for line in lines:
        # Control characters other than tab and line breaks cannot be stored in XLSX.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in line])
    # Not a `with`: the caller's FileResponse closes (hence deletes) it once sent.
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        workbook.save(output)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    return output
