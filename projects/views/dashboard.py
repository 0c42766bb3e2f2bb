"""The staff dashboard `/pilotage/`: the pipeline's figures over the directory's filters."""

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views import View

from fabrique.roles import is_avise_staff
from projects import stats
from projects.access import visible_projects
from projects.filters import ProjectFilterSet, visibility_scope


class DashboardFilterSet(ProjectFilterSet):
    """The directory's filters without its search box and sort order: figures are not searched or sorted."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("q", "tri"):
            self.filters.pop(name, None)


def narrowing_queries(active: dict[str, str]) -> dict[str, str]:
    """For the programme, région and year tables: the current filters but that one, as a query string
    prefix, so that a row links to the same figures narrowed to it."""
    return {
        name: urlencode(sorted((key, value) for key, value in active.items() if key != name))
        for name in ("programme", "region", "year")
    }


class DashboardView(LoginRequiredMixin, UserPassesTestMixin, View):
    """Staff only: anonymous visitors go to the login page, other users get 403.

    Queries: session and user; one per model choice given in the filters (e.g. the programme by its slug);
    unless cached: the five of the cube (`stats.build_cube`, shared by every filter combination), the
    medians of the combination, and the four select lists of the filter form."""

    def test_func(self) -> bool:
        return is_avise_staff(self.request.user)

    def get(self, request: HttpRequest) -> HttpResponse:
        projects = visible_projects(request.user)
        filterset = DashboardFilterSet(request.GET, queryset=projects)
        filterset.is_valid()  # invalid filters are left out, and shown as errors in the form
        active, scope = filterset.active_filters(), visibility_scope(request.user)
        figures = stats.cached_figures(projects=projects, selection=filterset.qs, active=active, scope=scope)
        version = figures.computed_at.isoformat()
        context = {
            "dashboard": stats.build_dashboard(figures),
            "form": filterset.form,
            "filtered": bool(active),
            "invalid": bool(filterset.form.errors),
            "narrow": narrowing_queries(active),
            "cache_seconds": stats.CACHE_SECONDS,
            "cache_minutes": stats.CACHE_SECONDS // 60,
            # The rendered page (its filter form's lists above all) is cached with the figures it shows.
            "fragment_key": f"{stats.cache_key('page', scope, active, version)}|{request.GET.urlencode()}",
        }
        return render(request, "projects/dashboard.html", context)


dashboard = DashboardView.as_view()
