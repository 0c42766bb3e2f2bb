"""The project directory `/projets/`: public, filtered, faceted, searchable, sorted, 25 per page.

Everyone sees the published projects; a coordinator also their structures' unpublished ones, a partner
those of the programmes it supports, the Avise staff all (`projects.access.visible_projects`)."""

import math
from dataclasses import dataclass
from functools import partial

from django import forms
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from fabrique.roles import AnyUser, coordinated_structure_ids, is_avise_staff, partner_ids
from fabrique.templatetags.french_dates import french_date
from projects.access import visible_projects
from projects.filters import (
    COUNTS_TTL_SECONDS,
    FACETS,
    PAGE_SIZE,
    SEGMENTED_SORTS,
    SORTS,
    ProjectFilterSet,
    cached_counts,
)
from projects.models import Project

# Facets with many options start folded, unless one of their options is chosen.
FOLDED_FACETS = {"structure", "region", "departement"}


@dataclass(frozen=True)
class FacetOption:
    label: str
    url: str
    count: int
    current: bool


@dataclass(frozen=True)
class Card:
    """One project of the list, with everything the template shows already computed: the list renders
    without a template include, URL reversal or filter call per project (the page's main cost)."""

    slug: str
    title: str
    url: str
    published: bool
    stage: str
    stage_label: str
    sector: str
    structure: str
    territory: str
    programme: str
    need: str
    updated_on: str


# What a card shows, read as plain values (no model instances): the wide columns (solution, study,
# lessons) are not read at all.
CARD_FIELDS = (
    "pk", "slug", "title", "is_published", "stage", "sector", "need", "updated_at",
    "structure__name", "territory__name", "programme__name",
)  # fmt: skip


def cards(ids: list[int]) -> list[Card]:
    """The page's cards, in the order of `ids`: one query (the project with its structure, territory and
    programme)."""
    rows = {row["pk"]: row for row in Project.objects.filter(pk__in=ids).values(*CARD_FIELDS)}
    # Once per page rather than per card: the detail URL and the translated labels of the choices.
    detail_url = reverse("projects:detail", args=["__slug__"])
    stages = {value: str(label) for value, label in Project.Stage.choices}
    sectors = {value: str(label) for value, label in Project.Sector.choices}
    return [
        Card(
            slug=row["slug"],
            title=row["title"],
            url=detail_url.replace("__slug__", row["slug"]),
            published=row["is_published"],
            stage=row["stage"],
            stage_label=stages.get(row["stage"], row["stage"]),
            sector=sectors.get(row["sector"], row["sector"]),
            structure=row["structure__name"],
            territory=row["territory__name"],
            programme=row["programme__name"] or "",
            need=Truncator(row["need"]).words(30),
            updated_on=french_date(timezone.localtime(row["updated_at"]), "j F Y"),
        )
        for row in (rows[pk] for pk in ids if pk in rows)  # a project deleted meanwhile is left out
    ]


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass(frozen=True)
class Chip:
    label: str
    value: str
    remove_url: str


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    options: list[FacetOption]
    folded: bool


class Links:
    """URLs of this directory that keep the valid filters and sort (invalid values are dropped, and a
    new filter always goes back to page 1)."""

    def __init__(self, filterset: ProjectFilterSet) -> None:
        self.params = filterset.active_filters()
        sort = filterset.valid_values().get("tri")
        if sort:
            self.params["tri"] = sort

    def with_changes(self, path: str = "", **changes: str | None) -> str:
        params = {**self.params, **changes}
        query = urlencode({key: value for key, value in params.items() if value is not None})
        return f"{path}?{query}" if query else path or "?"


def build_facets(filterset: ProjectFilterSet, links: Links, counts: dict) -> list[Facet]:
    active = filterset.active_filters()
    facets = []
    for spec in FACETS:
        options = []
        for value, db_label, count in counts["facets"][spec.name]:
            chosen = active.get(spec.name) == value
            # Choosing a chosen option again removes it: the same link adds and removes the filter.
            url = links.with_changes(**{spec.name: None if chosen else value})
            options.append(FacetOption(spec.option_label(value, db_label), url, count, chosen))
        folded = spec.name in FOLDED_FACETS and spec.name not in active
        facets.append(Facet(spec.name, str(spec.label), options, folded))
    return facets


def chosen_filters(filterset: ProjectFilterSet, links: Links) -> list[Chip]:
    """The filters in use, each with the link that removes it."""
    chips = []
    for name, value in filterset.valid_values().items():
        if name == "tri":
            continue
        field = filterset.form.fields[name]
        if isinstance(field, forms.ModelChoiceField):
            shown = str(value)  # the instance the validation read: no query
        elif isinstance(field, forms.ChoiceField):
            shown = str(dict(field.choices).get(value, value))
        else:
            shown = f"« {value} »" if name == "q" else str(value)
        chips.append(Chip(str(field.label), shown, links.with_changes(**{name: None})))
    return chips


def scope_note(user: AnyUser) -> str:
    """What this visitor sees beyond the published projects (no query: the roles are cached on the user)."""
    if is_avise_staff(user):
        return _("Vous voyez tous les projets du réseau, publiés ou non.")
    coordinates, supports = bool(coordinated_structure_ids(user)), bool(partner_ids(user))
    if coordinates and supports:
        return _(
            "Vous voyez les projets publiés, ceux des structures que vous coordonnez et ceux des programmes "
            "que votre organisation soutient, même non publiés."
        )
    if coordinates:
        return _(
            "Vous voyez les projets publiés et ceux, même non publiés, des structures que vous coordonnez."
        )
    if supports:
        return _(
            "Vous voyez les projets publiés et ceux, même non publiés, des programmes que votre organisation "
            "soutient."
        )
    return _("Seuls les projets publiés sont présentés.")


def requested_page(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def page_ids(filterset: ProjectFilterSet, counts: dict, number: int) -> list[int]:
    """The ids of one page, read alone (the rows are then read by id) from a sort index: a deep page
    skips narrow index entries, never wide rows, and never sorts the whole list. One query, or for the
    sorts led by a facet one per stage (structure) that the page covers."""
    skip = (number - 1) * PAGE_SIZE
    sort = filterset.sort_key()
    # Without the counts' cache key (uncached counts), no anchors.
    anchors = f"directory-anchor:{counts['key']}:{sort}" if "key" in counts else None
    if sort not in SEGMENTED_SORTS:
        return read_ids(filterset.sorted_qs(), SORTS[sort][1], skip, PAGE_SIZE, anchors)
    facet, lookup, order = SEGMENTED_SORTS[sort]
    chosen = filterset.active_filters().get(facet)
    ids: list[int] = []
    for value, _label, size in counts["facets"][facet]:
        if chosen not in (None, value):
            continue  # the facet also counts the options not chosen; the list holds the chosen one only
        if skip >= size:
            skip -= size
            continue
        segment = filterset.qs.filter(**{lookup: value})
        ids += read_ids(segment, order, skip, PAGE_SIZE - len(ids), anchors and f"{anchors}:{value}")
        skip = 0
        if len(ids) == PAGE_SIZE:
            break
    return ids


# The columns a keyset (« after this row ») can seek on: the project's own, in the sort indexes.
KEYSET_COLUMNS = {"updated_at", "title", "id"}
# Anchors are kept from the eleventh page on.
ANCHORS_FROM = 10 * PAGE_SIZE


def read_ids(queryset: QuerySet, order: tuple, skip: int, limit: int, anchors: str | None) -> list[int]:
    """`limit` ids from position `skip` of `queryset` in `order`.

    When the order is made of the project's own columns, the sort key of a page's first row (its anchor)
    is cached: the next visit of that page, and the next page, seek to it through the index (keyset
    pagination) instead of skipping `skip` entries. The anchors live under the counts' cache key, which
    holds the data version: a change to any project forgets them."""
    seekable = all(isinstance(field, str) and field.removeprefix("-") in KEYSET_COLUMNS for field in order)
    if anchors is None or not seekable or skip < ANCHORS_FROM:
        # Also for the first pages: a few hundred index entries skip faster than a cache round trip.
        return list(queryset.order_by(*order).values_list("pk", flat=True)[skip : skip + limit])
    fields = [field.removeprefix("-") for field in order]
    ordered = queryset.order_by(*order).values_list("pk", *fields)
    this_page, next_page = f"{anchors}:{skip}", f"{anchors}:{skip + limit}"
    known = cache.get_many([this_page, next_page])  # one round trip
    if this_page in known:
        rows = list(ordered.filter(from_anchor(order, known[this_page]))[: limit + 1])
    else:
        rows = list(ordered[skip : skip + limit + 1])
    # Remember where this page and the next one start (the row after this page), if not known yet.
    found = {key: rows[n][1:] for key, n in ((this_page, 0), (next_page, limit)) if n < len(rows)}
    missing = {key: value for key, value in found.items() if key not in known}
    if missing:
        cache.set_many(missing, COUNTS_TTL_SECONDS)
    return [row[0] for row in rows[:limit]]


def from_anchor(order: tuple, anchor: tuple) -> Q:
    """The rows at or after `anchor` in `order` (a lexicographic comparison on the sort key). The bound on
    the first column alone lets the database start its index scan at the anchor."""
    fields = [field.removeprefix("-") for field in order]
    after = ["lt" if field.startswith("-") else "gt" for field in order]
    at_or_after = Q(**dict(zip(fields, anchor, strict=True)))
    for position, field in enumerate(fields):
        equal = dict(zip(fields[:position], anchor[:position], strict=True))
        at_or_after |= Q(**equal, **{f"{field}__{after[position]}": anchor[position]})
    bound = Q(**{f"{fields[0]}__{'lte' if order[0].startswith('-') else 'gte'}": anchor[0]})
    return bound & at_or_after


def page_links(links: Links, number: int, num_pages: int) -> list[PageLink | None]:
    """The first and last pages and two on each side of the current one; None marks a gap (« … »)."""
    shown = sorted({1, num_pages, *range(max(1, number - 2), min(num_pages, number + 2) + 1)})
    result: list[PageLink | None] = []
    for previous, page in zip([0, *shown], shown, strict=False):
        if page - previous > 1:
            result.append(None)
        result.append(PageLink(page, links.with_changes(page=str(page)), page == number))
    return result


def directory(request: HttpRequest) -> HttpResponse:
    """Queries: [session, user] when logged in; [coordinations, partner memberships] when not staff; one
    per chosen programme, structure, région or département (its validation); the data version; when the
    counts are not cached, the cube and its three reference tables (filters.build_cube); the page's ids
    (one per stage or structure it covers when sorted by those); the page's rows with their structure,
    territory and programme. Constant in the number of rows and in the page number."""
    base = visible_projects(request.user)
    filterset = ProjectFilterSet(request.GET, queryset=base, request=request)
    counts = cached_counts(filterset, base, request.user)
    links = Links(filterset)
    num_pages = max(1, math.ceil(counts["total"] / PAGE_SIZE))
    number = min(requested_page(request.GET.get("page")), num_pages)  # past the end: the last page
    ids = page_ids(filterset, counts, number)
    return render(
        request,
        "projects/directory.html",
        {
            "form": filterset.form,
            "kept_filters": {k: v for k, v in links.params.items() if k not in {"q", "tri"}},
            "chosen": chosen_filters(filterset, links),
            "invalid": filterset.invalid_filters(),
            # Built only when the template's cached fragment is missing (templates call callables).
            "facets": partial(build_facets, filterset, links, counts),
            "facets_cache_key": f"{counts['key']}|{links.params.get('tri', '')}",
            "facets_ttl": COUNTS_TTL_SECONDS,
            "scope_note": scope_note(request.user),
            "sort_label": SORTS[filterset.sort_key()][0],
            "cards": cards(ids),
            "total": counts["total"],
            "first_rank": (number - 1) * PAGE_SIZE + 1,
            "page_number": number,
            "num_pages": num_pages,
            "page_links": page_links(links, number, num_pages),
            "previous_url": links.with_changes(page=str(number - 1)) if number > 1 else "",
            "next_url": links.with_changes(page=str(number + 1)) if number < num_pages else "",
            "export_url": links.with_changes(reverse("projects:export")),
            "reset_url": reverse("projects:directory"),
        },
    )
