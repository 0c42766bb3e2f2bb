"""Idempotent writes for the seed rows: a second run changes nothing, not even `updated_at`.

Rows with a natural key (a slug, a unique pair) are upserted and saved only when a value differs. Child
rows without one (history, visits, objectives…) are compared as a whole with what the seeds say and
replaced only when they differ."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db import models

M = TypeVar("M", bound=models.Model)


def day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def local_time(value: str, timezone: str = "Europe/Paris") -> dt.datetime:
    """An aware datetime from "YYYY-MM-DD HH:MM" read in the given zone (the seeds write local times)."""
    return dt.datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(timezone))


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    field = obj._meta.get_field(name)
    if field.is_relation:
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
    """The row matching `lookup`, created with `values` or updated where they differ (one query when
    nothing changed)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **values)
    changed = [name for name, value in values.items() if _differs(obj, name, value)]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        has_updated_at = any(f.name == "updated_at" for f in model._meta.concrete_fields)
        obj.save(update_fields=changed + (["updated_at"] if has_updated_at else []))
    return obj


def _canonical(value: Any) -> str:
    """A comparable text for a column value, equal for equal instants and equal decimals."""
    if isinstance(value, dt.datetime):
        return repr(value.timestamp())
    if isinstance(value, Decimal | float):
        return repr(float(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _signature(rows: Iterable[dict[str, Any]], columns: list[str]) -> list[tuple[str, ...]]:
    return sorted(tuple(_canonical(row[column]) for column in columns) for row in rows)


def replace_children(model: type[models.Model], parent: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """Make the children of `parent` exactly `rows` (column names as attnames, e.g. `structure_id`).

    Two queries when they already match; otherwise the old rows are deleted and the new ones inserted."""
    columns = sorted({column for row in rows for column in row})
    queryset = model._default_manager.filter(**parent)
    if not rows:
        if queryset.exists():
            queryset.delete()
        return
    existing = list(queryset.values(*columns))
    if len(existing) == len(rows) and _signature(existing, columns) == _signature(rows, columns):
        return
    queryset.delete()
    model._default_manager.bulk_create([model(**parent, **row) for row in rows])
