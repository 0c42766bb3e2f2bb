"""The audit trail of the domain models (django-simple-history), named in French.

Each domain model declares `history = AuditTrail()`: every save and delete through the ORM writes a version
with its date and, within a request, its author (simple_history's HistoryRequestMiddleware). Writes that
bypass the model's signals (`QuerySet.update()`, `bulk_create`) record their versions themselves with
`record_versions`, or `record_created_versions_in_sql` for the large imports.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import connections, models, router
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.utils import get_history_manager_for_model


class AuditTrail(HistoricalRecords):
    """HistoricalRecords whose version models read « version de projet », not « historical projet »."""

    def get_meta_options(self, model: type[models.Model]) -> dict:
        options = super().get_meta_options(model)
        options["verbose_name"] = format_lazy(_("version de {}"), model._meta.verbose_name)
        options["verbose_name_plural"] = format_lazy(_("versions de {}"), model._meta.verbose_name_plural)
        return options


def record_versions(
    instances: Iterable[models.Model], change: str = "~", user=None, batch_size: int | None = None
) -> None:
    """Writes one version per instance, as saving each would have: for the writes that bypass the
    signals. `change` is simple_history's type: "+" created, "~" changed. `user`: the author when the
    write is not made within a request (a background import); within one, the middleware's."""
    instances = list(instances)
    if not instances:
        return
    manager = get_history_manager_for_model(type(instances[0]))
    manager.bulk_history_create(instances, update=change == "~", default_user=user, batch_size=batch_size)


def record_created_versions_in_sql(
    model: type[models.Model], pks: list[int], user_id: int | None = None, batch_size: int = 900
) -> None:
    """The first version ("+") of each row just bulk-created, copied by the database itself
    (INSERT … SELECT): for the large imports, where building one Python object per version would cost as
    much as the import's own INSERT. The same columns as `record_versions` writes; `user_id`: the author."""
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in history.tracked_fields)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for start in range(0, len(pks), batch_size):  # SQLite takes 999 parameters at most
            batch = pks[start : start + batch_size]
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} "  # noqa: S608 (names from the models)
                f"({columns}, history_date, history_type, history_user_id, history_change_reason) "
                f"SELECT {columns}, %s, '+', %s, NULL FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(batch))})",
                [now, user_id, *batch],
            )
