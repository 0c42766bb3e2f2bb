"""The staff's spreadsheet imports (issue 7, points 2 and 3): a dry run recorded as an `ImportRun` with its
verdict per row, then, once confirmed, the real import of the same stored file in one transaction — in the
request for small files, in a Celery task with its progress in the cache above
`settings.IMPORT_BACKGROUND_ROWS` rows.

The resources (shared with the admin) roll the whole file back when any row is invalid: one bad row and
nothing is written."""

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.results import Result, RowResult
from tablib import Dataset

from fabrique.models import ImportRun, User
from fabrique.spreadsheets.reading import read_table
from fabrique.spreadsheets.registry import IMPORTABLES
from fabrique.tasks import send_task

logger = logging.getLogger(__name__)

# The sheet's first line holds the headers: data row n of the dataset is line n + 1 in the spreadsheet.
HEADER_LINES = 1
# Progress is written to the cache every this many rows (and at the end): often enough for a progress bar
# refreshed every 2 seconds, rarely enough to cost nothing next to the rows' own queries.
PROGRESS_EVERY = 50
PROGRESS_SECONDS = 24 * 60 * 60

# import-export's verdicts, as the run stores them; "invalid" (a validation error) is an error too.
ROW_STATUSES = {
    RowResult.IMPORT_TYPE_NEW: "new",
    RowResult.IMPORT_TYPE_UPDATE: "updated",
    RowResult.IMPORT_TYPE_SKIP: "unchanged",
    RowResult.IMPORT_TYPE_DELETE: "updated",
    RowResult.IMPORT_TYPE_ERROR: "error",
    RowResult.IMPORT_TYPE_INVALID: "error",
}


class ImportRefused(Exception):
    """The run cannot be confirmed (already confirmed, or its preview found errors); `.message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Summary:
    """What an `import_data` result means for the run: counts, per-row verdicts and errors by line."""

    total: int
    counts: dict[str, int]
    preview: list[dict[str, Any]]
    errors: list[dict[str, Any]]


def read_stored(run: ImportRun) -> Dataset:
    with run.file.open("rb") as stored:
        return read_table(stored, max_bytes=settings.SPREADSHEET_MAX_BYTES)


def progress_key(run_id: int) -> str:
    return f"spreadsheets:import:{run_id}:rows-done"


def rows_done(run: ImportRun) -> int:
    """Rows of a running import already imported, as its task last reported them."""
    if run.status != ImportRun.Status.RUNNING:
        return run.total_rows
    return cache.get(progress_key(run.pk), 0)


def row_key(resource, row: dict) -> str:
    """The row's natural key (its slug, mostly) as written in the sheet, for the preview table."""
    columns = [resource.fields[name].column_name for name in resource.get_import_id_fields()]
    return " / ".join(str(row.get(column) or "") for column in columns).strip(" /")


def messages_of(error: Exception) -> list[str]:
    """An exception's messages in words (a ValidationError or the resources' FileRefused carry several)."""
    return list(getattr(error, "messages", None) or [str(error)])


def summarise(resource, dataset: Dataset, result: Result) -> Summary:
    # Errors of the whole file (its columns, say) come first, without a row.
    errors: list[dict[str, Any]] = [
        {"row": None, "column": "", "message": str(message)}
        for error in result.base_errors
        for message in messages_of(error.error)
    ]
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            shown = "" if column == "__all__" else column
            errors.extend(
                {"row": invalid.number + HEADER_LINES, "column": shown, "message": str(message)}
                for message in messages
            )
    for error_row in result.error_rows:
        errors.extend(
            {"row": error_row.number + HEADER_LINES, "column": "", "message": str(message)}
            for error in error_row.errors
            for message in messages_of(error.error)
        )
    errors.sort(key=lambda error: (error["row"] or 0, error["column"]))
    # With report_skipped, import-export reports every row in order: result.rows[i] is dataset row i.
    rows = list(dataset.dict)
    preview = [
        {
            "row": number + HEADER_LINES,
            "status": ROW_STATUSES.get(row_result.import_type, "error"),
            "key": row_key(resource, rows[number - 1]) if number <= len(rows) else "",
        }
        for number, row_result in enumerate(result.rows, 1)
    ]
    counts = dict.fromkeys(("new", "updated", "unchanged", "error"), 0)
    for row in preview:
        counts[row["status"]] += 1
    return Summary(total=len(dataset), counts=counts, preview=preview, errors=errors)


def apply_summary(run: ImportRun, summary: Summary) -> None:
    run.total_rows = summary.total
    run.new_count = summary.counts["new"]
    run.updated_count = summary.counts["updated"]
    run.unchanged_count = summary.counts["unchanged"]
    run.error_count = len(summary.errors)
    run.errors = summary.errors
    run.preview = summary.preview


def with_progress(resource_class: type, run_id: int) -> type:
    """The resource class reporting every PROGRESS_EVERY rows in the cache, which the progress fragment
    reads: the import itself is one transaction, so the run's row would show nothing until its end."""

    class Reporting(resource_class):
        def after_import_row(self, row: dict, row_result: RowResult, **kwargs: Any) -> None:
            super().after_import_row(row, row_result, **kwargs)
            number = kwargs.get("row_number", 0)
            if number % PROGRESS_EVERY == 0:
                cache.set(progress_key(run_id), number, PROGRESS_SECONDS)

    Reporting.__name__ = Reporting.__qualname__ = f"Reporting{resource_class.__name__}"
    return Reporting


def dry_run(resource_class: type, dataset: Dataset, user: User) -> Summary:
    resource = resource_class()
    result = resource.import_data(dataset, dry_run=True, raise_errors=False, user=user)
    return summarise(resource, dataset, result)


def preview_import(*, user: User, kind: str, uploaded_file: UploadedFile, dataset: Dataset) -> ImportRun:
    """Records the dry run of `dataset` (read from `uploaded_file` by the form) as a run in preview; the
    file is stored for the confirmation. Nothing else is written."""
    summary = dry_run(IMPORTABLES[kind].resource_class, dataset, user)
    run = ImportRun(created_by=user, kind=kind, file_name=uploaded_file.name[:255])
    apply_summary(run, summary)
    uploaded_file.seek(0)
    run.file.save(uploaded_file.name, uploaded_file, save=False)
    run.full_clean(exclude=["file"])
    run.save()
    return run


def runs_in_background(run: ImportRun) -> bool:
    return run.total_rows > settings.IMPORT_BACKGROUND_ROWS


def confirm_import(*, run: ImportRun) -> ImportRun:
    """Imports a previewed run for real: at once for small files, else in a Celery task (queued after
    commit). Refused when the run was already confirmed or its preview found errors. The rows are written
    in the name of the run's importer (a project records who created it)."""
    if run.error_count:
        raise ImportRefused(
            _("L'aperçu a trouvé des erreurs : corrigez le fichier puis importez-le de nouveau.")
        )
    # Conditional update: of two confirmations sent at once, only one finds the run still in preview.
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.PREVIEW).update(
        status=ImportRun.Status.RUNNING, updated_at=timezone.now()
    )
    if not claimed:
        raise ImportRefused(_("Cet import a déjà été confirmé."))
    run.status = ImportRun.Status.RUNNING
    if runs_in_background(run):
        cache.set(progress_key(run.pk), 0, PROGRESS_SECONDS)
        run_pk = run.pk
        transaction.on_commit(lambda: start_in_background(run_pk))
        return run
    return run_import(run)


def start_in_background(run_pk: int) -> None:
    """Sends the import to the workers; with the broker down the run is marked failed at once, saying why,
    rather than shown running forever."""
    from fabrique.spreadsheets.tasks import import_spreadsheet  # the task module imports this one

    if send_task(import_spreadsheet, run_pk):
        return
    message = _(
        "Le service des tâches de fond ne répond pas : l'import n'a pas démarré et rien n'a été écrit. "
        "Relancez-le dans quelques minutes."
    )
    ImportRun.objects.filter(pk=run_pk, status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.FAILED,
        errors=[{"row": None, "column": "", "message": message}],
        error_count=1,
        finished_at=timezone.now(),
    )
    cache.delete(progress_key(run_pk))


def run_import(run: ImportRun) -> ImportRun:
    """The real import of a confirmed run's stored file, in one transaction (the resource rolls it all
    back if any row fails, e.g. a row changed since the preview). Records the outcome on the run; an
    unexpected exception marks it failed (and is logged) rather than leaving it running forever."""
    resource_class = IMPORTABLES[run.kind].resource_class
    if runs_in_background(run):
        resource_class = with_progress(resource_class, run.pk)
    try:
        dataset = read_stored(run)
        resource = resource_class()
        result = resource.import_data(dataset, dry_run=False, raise_errors=False, user=run.created_by)
    except Exception as error:
        logger.exception("Import run %s failed.", run.pk)
        run.errors = [
            {"row": None, "column": "", "message": _("Erreur inattendue : %(error)s") % {"error": error}}
        ]
        run.error_count = 1
        run.status = ImportRun.Status.FAILED
    else:
        apply_summary(run, summarise(resource, dataset, result))
        run.status = ImportRun.Status.FAILED if run.errors else ImportRun.Status.DONE
    run.finished_at = timezone.now()
    run.save()
    cache.delete(progress_key(run.pk))
    return run
