"""The public programme pages: the list /programmes/ and a programme's page /programmes/<slug>/ (period,
partners, participating structures, the funnel and the jobs created, the published projects). Anyone may
read them; they show published programmes only, and by name only published projects."""

from decimal import Decimal

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from network.selectors import PUBLIC_PHASES
from programmes import selectors
from projects import stats
from projects.models import Stage

PAGE_SIZE = 20


def format_euros(amount: Decimal) -> str:
    """« 150 000 € », « 2 500,50 € »: grouped digits, cents only when there are any (no query)."""
    decimals = 0 if amount == amount.to_integral_value() else 2
    return _("%(amount)s €") % {"amount": number_format(amount, decimal_pos=decimals, force_grouping=True)}


@require_safe
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(request, "programmes/programme_list.html", {"programmes": selectors.programme_list()})


@require_safe
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = selectors.get_published_programme(slug)
    figures = selectors.programme_figures(programme)
    detected = figures.funnel[0]
    steps = [
        stats.Step(str(Stage(stage).label), count, stats.rate(count, detected), None)
        for stage, count in zip(stats.FUNNEL, figures.funnel, strict=True)
    ]
    fundings = selectors.programme_fundings(programme)
    for funding in fundings:
        funding.amount_display = format_euros(funding.amount) if funding.amount is not None else ""
    participations = selectors.programme_participations(programme)
    for participation in participations:
        # A candidate, suspended or withdrawn structure has no public page: its name is shown unlinked.
        participation.structure_is_public = participation.structure.phase in PUBLIC_PHASES
    projects = Paginator(selectors.programme_published_projects(programme), PAGE_SIZE)
    context = {
        "programme": programme,
        "fundings": fundings,
        "participations": participations,
        "figures": figures,
        "steps": steps,
        "funnel_chart": stats.bar_chart(
            "programme-funnel-chart",
            _("Projets du programme ayant atteint chaque étape"),
            [(step.label, step.count, stats.format_count(step.count)) for step in steps],
        ),
        "page_obj": projects.get_page(request.GET.get("page")),
    }
    return render(request, "programmes/programme_detail.html", context)
