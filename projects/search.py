"""Full-text search over projects: French, accents ignored, on PostgreSQL; a plain contains on SQLite.

On PostgreSQL the words go through the `french_unaccent` text-search configuration (migration 0003:
`unaccent` then the French stemmer), so « epicerie » finds « Épicerie » and « mobilites » finds
« mobilité ». The search document below is the expression of the GIN index `project_search_fr` created by
that migration: PostgreSQL uses the index only when the query repeats the indexed expression, so change
both or neither (tests/test_search.py checks the plan uses the index)."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

SEARCH_CONFIG = "french_unaccent"


def search_document() -> SearchVector:
    """Title, need and solution; the weights (title A, the rest B) are part of the indexed expression."""
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "need", "solution", weight="B", config=SEARCH_CONFIG
    )


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def search_query(text: str) -> SearchQuery:
    # The websearch syntax accepts anything people type (quotes, « - », « or ») without a syntax error.
    return SearchQuery(text.strip(), search_type="websearch", config=SEARCH_CONFIG)


def search_projects(queryset: QuerySet, text: str) -> QuerySet:
    """Narrow `queryset` to the projects matching `text` (title, need, solution)."""
    text = text.strip()
    if not text:
        return queryset
    if uses_full_text():
        return queryset.alias(search_document=search_document()).filter(search_document=search_query(text))
    return queryset.filter(Q(title__icontains=text) | Q(need__icontains=text) | Q(solution__icontains=text))


def with_rank(queryset: QuerySet, text: str) -> QuerySet:
    """`queryset` with the alias `search_rank` to order by (PostgreSQL only): how well the *title* matches.
    Ranking on the whole document would rebuild every matching project's full text (ts_rank cannot read
    the GIN index): three times slower on a common word over 100,000 projects. Projects matching by their
    need or solution only come next, the most recently updated first (see filters.SORTS).
    An alias, not an annotation: it is computed only where it is used, never added to a GROUP BY."""
    return queryset.alias(
        search_rank=SearchRank(SearchVector("title", config=SEARCH_CONFIG), search_query(text))
    )
