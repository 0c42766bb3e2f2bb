from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from fabrique.health import OK, run_checks
from network.selectors import structure_counts_by_phase
from programmes.selectors import published_programmes
from projects.selectors import project_counts_by_stage


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    structures = structure_counts_by_phase()
    projects = project_counts_by_stage()
    return render(
        request,
        "home.html",
        {
            "structure_counts": structures,
            "structure_total": sum(row.count for row in structures),
            "project_counts": projects,
            "project_total": sum(row.count for row in projects),
            "programmes": published_programmes(),
        },
    )


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    report = run_checks()
    return JsonResponse(report, status=200 if report["status"] == OK else 503)
