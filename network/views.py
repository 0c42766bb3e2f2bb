"""The network's public pages: the directory of structures `/reseau/` and a structure's page
`/reseau/<slug>/`. Both are open to everyone and show the same thing to every visitor: the public
structures (`network.selectors.PUBLIC_PHASES`), their territories, programmes and published projects
(the structure's page adds its phase history and a link to its appellation page for those who follow it).
No contact is shown: `network.Contact` (people) and the structure's e-mail and phone carry no consent to
publication; its website is public by nature."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django_filters.views import FilterView

from fabrique.roles import coordinated_structure_ids, is_avise_staff
from network import selectors
from network.appellation.access import may_see_appellation_page
from network.appellation.selectors import experimentation_clock, open_application
from network.filters import StructureFilterSet
from network.models import PhaseChange, Structure
from partnerships.selectors import structure_activity

PAGE_SIZE = 25


class StructureDirectoryView(FilterView):
    filterset_class = StructureFilterSet
    template_name = "network/directory.html"
    paginate_by = PAGE_SIZE
    # A filter left invalid (an unknown région code) is shown on the form and ignored, not a blank list.
    strict = False

    def get_queryset(self) -> QuerySet[Structure]:
        return selectors.directory_structures(selectors.public_structures())


def structure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The public page of a structure. Its phase history (who moved it, why) is for the staff and its
    own coordinators; the link to its appellation page for whoever may see that page."""
    structure = selectors.get_public_structure(slug)
    # One query for the history: the clock reads it too.
    prefetch_related_objects(
        [structure], Prefetch("phase_changes", queryset=PhaseChange.objects.select_related("changed_by"))
    )
    follows = is_avise_staff(request.user) or structure.pk in coordinated_structure_ids(request.user)
    projects = Paginator(selectors.structure_published_projects(structure), PAGE_SIZE)
    context = {
        "structure": structure,
        "clock": experimentation_clock(structure),
        "phase_history": list(structure.phase_changes.all()) if follows else None,
        # A committee member may see it too, through the application: asked only of signed-in users.
        "appellation_link": follows
        or (
            request.user.is_authenticated
            and may_see_appellation_page(request.user, structure, open_application(structure))
        ),
        "territories": selectors.structure_territories(structure),
        "programmes": selectors.structure_programmes(structure),
        "page_obj": projects.get_page(request.GET.get("page")),
        # Missions and transfers that concern the structure (two queries).
        "activity": structure_activity(request.user, structure),
    }
    return render(request, "network/structure_detail.html", context)


@require_safe
def network_map(request: HttpRequest) -> HttpResponse:
    """The map page. Its markers come from `structures_geojson`; the same structures are listed as links
    on the page, for whoever cannot use the map (screen reader, no JavaScript, tiles unreachable)."""
    context = {
        "map_structures": selectors.map_structures(),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "network/map.html", context)


@require_safe
def structures_geojson(request: HttpRequest) -> JsonResponse:
    """The public structures as a GeoJSON FeatureCollection (RFC 7946): one Point per structure that has a
    point; those without one are counted in the collection's `properties` (a foreign member)."""
    features = []
    skipped = 0
    for entry in selectors.map_structures():
        if entry.point is None:
            skipped += 1
            continue
        latitude, longitude = entry.point
        structure = entry.structure
        features.append(
            {
                "type": "Feature",
                # RFC 7946: longitude first.
                "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
                "properties": {
                    "name": structure.name,
                    "slug": structure.slug,
                    "url": reverse("network:detail", args=[structure.slug]),
                    "phase": structure.phase,
                    "phase_label": str(structure.get_phase_display()),
                    "departements": entry.departement_codes,
                },
            }
        )
    collection = {"type": "FeatureCollection", "features": features, "properties": {"skipped": skipped}}
    return JsonResponse(collection, content_type="application/geo+json")
