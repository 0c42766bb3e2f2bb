"""The filters of the transfers list /transferts/ (django-filter): topic, format, year, région and a text
search. They narrow the transfers the user may see (partnerships.access.visible_transfers)."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from network.filters import region_choices
from partnerships.models import Beneficiary, KnowHowTransfer


def year_choices(transfers: QuerySet[KnowHowTransfer]) -> list[tuple[str, str]]:
    """The years some of `transfers` started in, latest first (one query): no year without a transfer."""
    years = transfers.order_by().dates("started_on", "year", order="DESC")
    return [(str(day.year), str(day.year)) for day in years]


class TransferFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_text",
        help_text=_("Dans l'intitulé, la structure apporteuse ou les bénéficiaires."),
    )
    topic = django_filters.ChoiceFilter(
        label=_("Thème"), choices=KnowHowTransfer.Topic.choices, empty_label=_("Tous les thèmes")
    )
    format = django_filters.ChoiceFilter(
        label=_("Format"), choices=KnowHowTransfer.Format.choices, empty_label=_("Tous les formats")
    )
    year = django_filters.ChoiceFilter(
        label=_("Année"),
        field_name="started_on",
        lookup_expr="year",
        choices=[],  # the years of the transfers the user sees: set in __init__
        empty_label=_("Toutes les années"),
        help_text=_("L'année où le transfert a commencé."),
    )
    region = django_filters.ChoiceFilter(
        label=_("Région"),
        choices=region_choices,
        empty_label=_("Toutes les régions"),
        method="filter_region",
        help_text=_(
            "La région d'un bénéficiaire membre du réseau (son siège ou l'un de ses territoires d'action). "
            "Les autres organisations bénéficiaires n'ont pas de région : un transfert qui n'a qu'elles "
            "pour bénéficiaires n'apparaît que sans ce filtre."
        ),
    )

    class Meta:
        model = KnowHowTransfer
        fields = ["q", "topic", "format", "year", "region"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The queryset is already narrowed to what the user may see: no year reveals a hidden transfer.
        self.filters["year"].extra["choices"] = year_choices(self.queryset)

    def filter_text(self, queryset: QuerySet[KnowHowTransfer], name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        # EXISTS rather than a join: a transfer with several matching beneficiaries is listed once.
        beneficiary_named = Beneficiary.objects.filter(transfer=OuterRef("pk")).filter(
            Q(structure__name__icontains=value) | Q(organisation__name__icontains=value)
        )
        return queryset.filter(
            Q(title__icontains=value) | Q(provider__name__icontains=value) | Exists(beneficiary_named)
        )

    def filter_region(self, queryset: QuerySet[KnowHowTransfer], name: str, value: str) -> QuerySet:
        # A member structure is in a région by its seat or by a territory it acts on, as in the
        # network's directory; organisations have no région (see the help text).
        in_region = Beneficiary.objects.filter(transfer=OuterRef("pk")).filter(
            Q(structure__departement__region__code=value)
            | Q(structure__territories__departements__region__code=value)
        )
        return queryset.filter(Exists(in_region))
