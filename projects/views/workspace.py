"""The coordinators' workspace `/espace/`: their structures' projects as a board by stage or as a sortable
list, and the form to create one. Staff see the whole network, partners their programmes' projects."""

from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from network.models import Structure
from projects.forms import ProjectCreateForm
from projects.models import Stage
from projects.workspace import DEFAULT_SORT, SORTS, Role, board, project_page, sort_headers, workspace_scope

BOARD, LIST = "tableau", "liste"


class WorkspaceFilters(forms.Form):
    """The page's GET parameters. An invalid value is dropped (its default applies), never an error page:
    these come from links and bookmarks."""

    vue = forms.ChoiceField(choices=[(BOARD, _("Tableau")), (LIST, _("Liste"))], required=False)
    structure = forms.ChoiceField(label=_("Structure"), required=False)
    etape = forms.ChoiceField(
        label=_("Étape"), choices=[("", _("Toutes les étapes")), *Stage.choices], required=False
    )
    tri = forms.ChoiceField(choices=[(key, key) for key in SORTS], required=False)
    page = forms.IntegerField(min_value=1, required=False)

    def __init__(self, data: Any, *, structures: list[Structure], all_label: str) -> None:
        super().__init__(data)
        # Choices from the structures already loaded for the scope: validating costs no query.
        self.structures_by_slug = {structure.slug: structure for structure in structures}
        self.fields["structure"].choices = [("", all_label)] + [(s.slug, s.name) for s in structures]
        self.is_valid()

    def value(self, name: str, default: Any = None) -> Any:
        return self.cleaned_data.get(name) or default

    def chosen_structure(self) -> Structure | None:
        return self.structures_by_slug.get(self.value("structure", ""))


class WorkspaceView(LoginRequiredMixin, View):
    """Anonymous visitors go to the login page. Queries (counted in tests/test_workspace.py): session,
    user, the scope (`projects.workspace.workspace_scope`), the board's seven or the list's four, then the
    create form's choices. Constant whatever the number of projects."""

    def get(self, request: HttpRequest) -> HttpResponse:
        scope = workspace_scope(request.user)
        all_label = _("Tout le réseau") if scope.role == Role.STAFF else _("Toutes mes structures")
        filters = WorkspaceFilters(request.GET, structures=scope.structures, all_label=all_label)
        structure = filters.chosen_structure()
        projects = scope.narrowed_to(structure)
        mode = filters.value("vue", BOARD)
        context: dict[str, Any] = {"scope": scope, "filters": filters, "structure": structure, "mode": mode}
        if mode == LIST:
            stage = filters.value("etape", "")
            sort = filters.value("tri", DEFAULT_SORT)
            page = project_page(
                projects.filter(stage=stage) if stage else projects, sort, filters.value("page", 1)
            )
            context.update(page=page, total=page.paginator.count, headers=sort_headers(sort))
        else:
            columns = board(projects)
            context.update(columns=columns, total=sum(column.count for column in columns))
        if scope.can_create:
            initial = {"structure": structure.pk} if structure else None
            context["create_form"] = ProjectCreateForm(user=request.user, initial=initial)
        return render(request, "projects/workspace.html", context)


workspace = WorkspaceView.as_view()
