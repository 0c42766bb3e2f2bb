"""`|date_fr`: Django's `|date` with the French ordinal of the first day of the month (« 1er janvier 2020 »,
never « 1 janvier 2020 »). Registered as a template builtin (settings.TEMPLATES), so no `{% load %}`."""

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()


def first_day_ordinal(formatted: str, value, format_string: str | None) -> str:
    """« 1 janvier » → « 1er janvier » when the French format starts with the day of the month (`j`).
    `format_string` may name a format setting (DATE_FORMAT, the default, is « j F Y » in French)."""
    resolved = formats.get_format(format_string or "DATE_FORMAT")
    if (
        formatted
        and resolved.startswith("j ")
        and getattr(value, "day", None) == 1
        and (get_language() or "").startswith("fr")
    ):
        return "1er" + formatted[1:]
    return formatted


@register.filter(expects_localtime=True, is_safe=False)
def date_fr(value, format_string=None):
    return first_day_ordinal(date_filter(value, format_string), value, format_string)


def french_date(value, format_string: str = "DATE_FORMAT") -> str:
    """The same as `|date_fr`, for Python code (`value` already in local time)."""
    return first_day_ordinal(formats.date_format(value, format_string), value, format_string)
