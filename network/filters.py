"""The public network directory's filters (django-filter): région (INSEE code) and appellation phase.

They narrow `network.selectors.public_structures()`; the phase choices are the public phases only, so a
filter can never reveal a candidate, suspended or withdrawn structure."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from network.models import Region, Structure, Territory
from network.selectors import PUBLIC_PHASES
from projects.filters import reading_order


def region_choices() -> list[tuple[str, str]]:
    """The régions by INSEE code, in reading order (« Île-de-France » among the I): one query, run when the
    form is shown and again when a région chosen is checked."""
    regions = Region.objects.values_list("code", "name")
    return sorted(regions, key=lambda region: reading_order(region[1]))


class StructureFilterSet(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(
        label=_("Région"),
        choices=region_choices,
        empty_label=_("Toutes les régions"),
        method="filter_region",
        help_text=_("Le siège de la structure ou l'un de ses territoires d'action."),
    )
    phase = django_filters.ChoiceFilter(
        label=_("Phase"),
        choices=[(phase.value, phase.label) for phase in PUBLIC_PHASES],
        empty_label=_("Toutes les phases"),
    )

    class Meta:
        model = Structure
        fields = ["region", "phase"]

    def filter_region(self, queryset: QuerySet[Structure], name: str, value: str) -> QuerySet[Structure]:
        # A structure belongs to a région by its seat or by any territory it acts on. EXISTS rather than a
        # join: a structure with several territories there is listed once, without DISTINCT.
        acts_there = Territory.objects.filter(structures=OuterRef("pk"), departements__region__code=value)
        return queryset.filter(Q(departement__region__code=value) | Exists(acts_there))
