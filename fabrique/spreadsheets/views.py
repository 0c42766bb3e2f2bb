"""The staff's spreadsheet import pages under /pilotage/import/: the upload form, a run's preview and its
confirmation, the progress of a background import and the history. Staff only: anonymous visitors go to
the login page, anyone else gets 403. Writes go through `importing`."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from fabrique.decorators import staff_only
from fabrique.models import ImportRun
from fabrique.spreadsheets import importing
from fabrique.spreadsheets.forms import ImportForm
from fabrique.spreadsheets.registry import IMPORTABLES

RUNS_PER_PAGE = 25
PREVIEW_ROWS_PER_PAGE = 100


def column_help() -> list[dict]:
    """Each importable with its French column headers, read from its resource (as the import reads them)."""
    described = []
    for key, item in IMPORTABLES.items():
        resource = item.resource_class()
        described.append(
            {
                "key": key,
                "label": item.label,
                "columns": [field.column_name for field in resource.get_import_fields()],
                "keys": [resource.fields[name].column_name for name in resource.get_import_id_fields()],
            }
        )
    return described


@staff_only
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = importing.preview_import(
            user=request.user,
            kind=form.cleaned_data["kind"],
            uploaded_file=form.cleaned_data["file"],
            dataset=form.dataset,
        )
        return redirect("spreadsheets:run", pk=run.pk)
    context = {
        "form": form,
        "importables": column_help(),
        "max_megabytes": settings.SPREADSHEET_MAX_BYTES // (1024 * 1024),
        "background_rows": settings.IMPORT_BACKGROUND_ROWS,
    }
    return render(request, "spreadsheets/import.html", context, status=400 if form.is_bound else 200)


def run_context(request: HttpRequest, run: ImportRun) -> dict:
    importable = IMPORTABLES.get(run.kind)
    rows_page = Paginator(run.preview, PREVIEW_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    errors = errors_by_row(run.errors)
    return {
        "run": run,
        "list_url": reverse(importable.list_url_name) if importable else "",
        "rows_page": rows_page,
        # Each row of the page with its own errors, shown next to it.
        "page_rows": [{**row, "errors": errors.get(row["row"], [])} for row in rows_page.object_list],
        "background": importing.runs_in_background(run),
        "rows_done": importing.rows_done(run),
    }


def errors_by_row(errors: list[dict]) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for error in errors:
        grouped.setdefault(error["row"], []).append(error)
    return grouped


@require_safe
@staff_only
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=pk)
    return render(request, "spreadsheets/run.html", run_context(request, run))


@require_POST
@staff_only
def run_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun, pk=pk)
    try:
        run = importing.confirm_import(run=run)
    except importing.ImportRefused as refusal:
        messages.error(request, refusal.message)
    else:
        if run.status == ImportRun.Status.RUNNING:
            messages.info(
                request, _("L'import se poursuit en arrière-plan : vous recevrez un e-mail à la fin.")
            )
        elif run.status == ImportRun.Status.DONE:
            messages.success(request, _("L'import est terminé."))
        else:
            messages.error(request, _("L'import a échoué : rien n'a été enregistré."))
    return redirect("spreadsheets:run", pk=run.pk)


@require_safe
@staff_only
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment of a background import, reloaded by htmx every 2 seconds while it runs."""
    run = get_object_or_404(ImportRun, pk=pk)
    context = {"run": run, "rows_done": importing.rows_done(run)}
    return render(request, "spreadsheets/_progress.html", context)


@require_safe
@staff_only
def history(request: HttpRequest) -> HttpResponse:
    runs = ImportRun.objects.select_related("created_by").defer("preview", "errors")
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "spreadsheets/history.html", {"page_obj": page})
