"""The network's public pages: the directory of structures `/reseau/` and a structure's page
`/reseau/<slug>/`. Both are open to everyone and show the same thing to every visitor: the public
structures (`network.selectors.PUBLIC_PHASES`), their territories, programmes and published projects.
No contact is shown: `network.Contact` (people) and the structure's e-mail and phone carry no consent to
publication; its website is public by nature."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_filters.views import FilterView

from network import selectors
from network.filters import StructureFilterSet
from network.models import Structure

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
    structure = selectors.get_public_structure(slug)
    projects = Paginator(selectors.structure_published_projects(structure), PAGE_SIZE)
    context = {
        "structure": structure,
        "territories": selectors.structure_territories(structure),
        "programmes": selectors.structure_programmes(structure),
        "page_obj": projects.get_page(request.GET.get("page")),
    }
    return render(request, "network/structure_detail.html", context)
