"""The staff's exports under /pilotage/export/<liste>.<csv|xlsx> (issue 7, point 4): the list the link
comes from, filtered by the same query string, with the columns the import reads. Staff only: anonymous
visitors go to the login page, anyone else gets 403."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from fabrique.spreadsheets import exporting
from fabrique.spreadsheets.registry import IMPORTABLES
from fabrique.spreadsheets.views import staff_only


def file_name(kind: str, extension: str) -> str:
    # The list's key is French and ASCII (« projets »): a file name every system accepts.
    return f"{kind}-{timezone.localdate().isoformat()}.{extension}"


@require_safe
@staff_only
def export(request: HttpRequest, kind: str, extension: str) -> HttpResponse:
    """Queries: [session, user]; those of the list's filters when given (a chosen programme, structure,
    région…, and the transfers' years); then, while the file is written, one SELECT per CHUNK_SIZE rows
    and one per relation the resource prefetches. Constant in the number of rows."""
    importable = IMPORTABLES.get(kind)
    if importable is None:
        raise Http404
    resource = importable.resource_class()
    header = exporting.headers(resource)
    rows = exporting.rows(resource, exporting.export_queryset(kind, request))
    if extension == "xlsx":
        output = exporting.xlsx_file(header, rows, title=str(importable.label))
        return FileResponse(
            output,
            as_attachment=True,
            filename=file_name(kind, "xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    # Streamed: the first lines leave before the last rows are read.
    response = StreamingHttpResponse(
        exporting.csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name(kind, "csv")}"'
    return response
