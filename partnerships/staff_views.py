"""The staff's pages to record partnerships, their agreements and the missions (/partenariats/gestion/…).

Anonymous visitors go to the login page, other users get 403; the services check the permission again."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from partnerships import services
from partnerships.access import can_manage
from partnerships.models import Agreement, Mission, Objective, Partnership
from partnerships.staff_forms import (
    AgreementForm,
    MissionForm,
    ObjectiveFormSet,
    ObjectiveOutcomeForm,
    ParticipantFormSet,
    PartnershipForm,
    PartyFormSet,
    SupportFormSet,
    VisitFormSet,
)

PAGE_SIZE = 25


class StaffOnlyMixin(LoginRequiredMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not can_manage(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def page_of(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


class PartnershipListView(StaffOnlyMixin, View):
    """Queries: session, user, count, the page of partnerships with their counts."""

    def get(self, request: HttpRequest) -> HttpResponse:
        partnerships = Partnership.objects.annotate(
            mission_count=Count("missions", distinct=True), agreement_count=Count("agreements", distinct=True)
        ).order_by("-start_date", "title")
        return render(
            request, "partnerships/staff/partnership_list.html", {"page_obj": page_of(request, partnerships)}
        )


class MissionListView(StaffOnlyMixin, View):
    """Queries: session, user, count, the page of missions with their partnership."""

    def get(self, request: HttpRequest) -> HttpResponse:
        missions = Mission.objects.select_related("partnership").order_by("-starts_at")
        return render(
            request, "partnerships/staff/mission_list.html", {"page_obj": page_of(request, missions)}
        )


class PartnershipEditView(StaffOnlyMixin, View):
    """Create (no slug) or edit a partnership with its parties and supports."""

    def get_partnership(self, slug: str | None) -> Partnership:
        return get_object_or_404(Partnership, slug=slug) if slug else Partnership()

    def render_page(self, request: HttpRequest, form: Any, formsets: list) -> HttpResponse:
        partnership = form.instance if form.instance.pk else None
        agreements = partnership.agreements.order_by("-signed_on", "title") if partnership else []
        context = {"form": form, "formsets": formsets, "partnership": partnership, "agreements": agreements}
        return render(request, "partnerships/staff/partnership_form.html", context)

    def forms(self, request: HttpRequest, partnership: Partnership) -> tuple[Any, list]:
        data = request.POST if request.method == "POST" else None
        form = PartnershipForm(data, instance=partnership)
        formsets = [
            PartyFormSet(data, instance=partnership, prefix="parties"),
            SupportFormSet(data, instance=partnership, prefix="soutiens"),
        ]
        formsets[0].legend, formsets[1].legend = _("Parties"), _("Soutiens et dispositifs")
        return form, formsets

    def get(self, request: HttpRequest, slug: str | None = None) -> HttpResponse:
        return self.render_page(request, *self.forms(request, self.get_partnership(slug)))

    def post(self, request: HttpRequest, slug: str | None = None) -> HttpResponse:
        form, formsets = self.forms(request, self.get_partnership(slug))
        if not (form.is_valid() and all(formset.is_valid() for formset in formsets)):
            return self.render_page(request, form, formsets)
        partnership = services.save_partnership(user=request.user, form=form, formsets=formsets)
        messages.success(request, _("Le partenariat « %(title)s » est enregistré.") % {"title": partnership})
        return redirect("partnerships:manage_partnership_edit", slug=partnership.slug)


class AgreementEditView(StaffOnlyMixin, View):
    """Create (under a partnership's slug) or edit (by id) an agreement."""

    def get_agreement(self, slug: str | None, pk: int | None) -> Agreement:
        if pk is not None:
            return get_object_or_404(Agreement.objects.select_related("partnership"), pk=pk)
        return Agreement(partnership=get_object_or_404(Partnership, slug=slug))

    def get(self, request: HttpRequest, slug: str | None = None, pk: int | None = None) -> HttpResponse:
        agreement = self.get_agreement(slug, pk)
        return self.render_page(request, AgreementForm(instance=agreement))

    def post(self, request: HttpRequest, slug: str | None = None, pk: int | None = None) -> HttpResponse:
        agreement = self.get_agreement(slug, pk)
        form = AgreementForm(request.POST, request.FILES, instance=agreement)
        if not form.is_valid():
            return self.render_page(request, form)
        services.save_agreement(user=request.user, form=form)
        messages.success(request, _("L'entente « %(title)s » est enregistrée.") % {"title": agreement})
        return redirect("partnerships:manage_partnership_edit", slug=agreement.partnership.slug)

    def render_page(self, request: HttpRequest, form: AgreementForm) -> HttpResponse:
        context = {"form": form, "agreement": form.instance, "partnership": form.instance.partnership}
        return render(request, "partnerships/staff/agreement_form.html", context)


class MissionEditView(StaffOnlyMixin, View):
    """Create (no slug) or edit a mission with its objectives, visits and participants."""

    def get_mission(self, slug: str | None) -> Mission:
        return get_object_or_404(Mission, slug=slug) if slug else Mission()

    def forms(self, request: HttpRequest, mission: Mission) -> tuple[Any, list]:
        data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
        form = MissionForm(data, files, instance=mission)
        formsets = [
            ObjectiveFormSet(data, instance=mission, prefix="objectifs"),
            VisitFormSet(data, instance=mission, prefix="visites"),
            ParticipantFormSet(data, instance=mission, prefix="participants"),
        ]
        for formset, legend in zip(
            formsets, (_("Objectifs"), _("Lieux visités"), _("Participant·es")), strict=True
        ):
            formset.legend = legend
        return form, formsets

    def render_page(self, request: HttpRequest, form: Any, formsets: list) -> HttpResponse:
        mission = form.instance if form.instance.pk else None
        return render(
            request,
            "partnerships/staff/mission_form.html",
            {"form": form, "formsets": formsets, "mission": mission},
        )

    def get(self, request: HttpRequest, slug: str | None = None) -> HttpResponse:
        return self.render_page(request, *self.forms(request, self.get_mission(slug)))

    def post(self, request: HttpRequest, slug: str | None = None) -> HttpResponse:
        form, formsets = self.forms(request, self.get_mission(slug))
        if not (form.is_valid() and all(formset.is_valid() for formset in formsets)):
            return self.render_page(request, form, formsets)
        mission = services.save_mission(user=request.user, form=form, formsets=formsets)
        messages.success(request, _("La mission « %(title)s » est enregistrée.") % {"title": mission})
        return redirect("partnerships:manage_mission_edit", slug=mission.slug)


class MissionDeleteView(StaffOnlyMixin, View):
    """A confirmation page (GET), then the deletion (POST)."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        mission = get_object_or_404(Mission, slug=slug)
        return render(request, "partnerships/staff/mission_confirm_delete.html", {"mission": mission})

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        mission = get_object_or_404(Mission, slug=slug)
        services.delete_mission(user=request.user, mission=mission)
        messages.success(request, _("La mission « %(title)s » est supprimée.") % {"title": mission.title})
        return redirect("partnerships:manage_missions")


class ObjectiveOutcomeView(StaffOnlyMixin, View):
    """POST only: the outcome of one objective, from the mission's page; back to `next` (this site only)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        objective = get_object_or_404(Objective.objects.select_related("mission"), pk=pk)
        form = ObjectiveOutcomeForm(request.POST, instance=objective)
        if form.is_valid():
            services.set_objective_outcome(user=request.user, objective=objective, **form.cleaned_data)
            messages.success(request, _("Le résultat de l'objectif est enregistré."))
        else:
            messages.error(request, _("Résultat non enregistré : choisissez un résultat dans la liste."))
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = reverse("partnerships:manage_mission_edit", args=[objective.mission.slug])
        return HttpResponseRedirect(target)
