"""Read functions of the programmes app. Each runs a known, small number of queries."""

from programmes.models import Programme


def published_programmes() -> list[Programme]:
    """Published programmes, most recent first. One query; no related rows are loaded."""
    return list(Programme.objects.filter(is_published=True).order_by("-start_date", "name"))
