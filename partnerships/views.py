"""The public pages of the Québec–France partnerships: the partnerships and their agreements' documents,
the missions (upcoming and past, a mission's page, its report), the iCalendar feed of the missions and the
reader's choice of time zone. Everyone reads what is published, the staff everything
(partnerships/access.py); reads go through partnerships/selectors.py."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from partnerships import selectors
from partnerships.access import get_visible_mission, get_visible_partnership, visible_missions
from partnerships.calendar import missions_calendar
from partnerships.models import Objective
from partnerships.timezones import ReaderZoneForm, attach_shown_zones, reader_zone, remember_reader_zone

PAGE_SIZE = 20


def download(stored: FieldFile, name: str) -> FileResponse:
    """A stored document, always as an attachment and never sniffed, so a file cannot run as a page of the
    site; named after `name` with the stored file's extension. A missing file is a 404."""
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    filename = (slugify(name) or "document") + PurePath(stored.name).suffix.lower()
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def partnership_list(request: HttpRequest) -> HttpResponse:
    page_obj = Paginator(selectors.partnership_list(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "partnerships/partnership_list.html", {"page_obj": page_obj})


@require_safe
def partnership_detail(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = selectors.partnership_page(request.user, slug)
    attach_shown_zones(partnership.timeline, reader_zone(request))
    return render(request, "partnerships/partnership_detail.html", {"partnership": partnership})


@require_safe
def agreement_document(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    partnership = get_visible_partnership(request.user, slug)
    agreement = get_object_or_404(partnership.agreements, pk=pk)
    return download(agreement.document, agreement.title)


@require_safe
def mission_list(request: HttpRequest) -> HttpResponse:
    reader = reader_zone(request)
    upcoming = list(selectors.upcoming_missions(request.user))
    past = Paginator(selectors.past_missions(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    attach_shown_zones([*upcoming, *past.object_list], reader)
    context = {"upcoming": upcoming, "page_obj": past, "zone_form": zone_form(request, reader)}
    return render(request, "partnerships/mission_list.html", context)


@require_safe
def mission_detail(request: HttpRequest, slug: str) -> HttpResponse:
    reader = reader_zone(request)
    page = selectors.mission_page(request.user, slug)
    attach_shown_zones([page.mission], reader)
    context = {
        **page._asdict(),
        "zone_form": zone_form(request, reader),
        # The staff mark each objective's outcome from this page (partnerships:manage_objective).
        "outcome_choices": Objective.Outcome.choices,
    }
    return render(request, "partnerships/mission_detail.html", context)


@require_safe
def mission_report(request: HttpRequest, slug: str) -> FileResponse:
    mission = get_visible_mission(request.user, slug)
    return download(mission.report, _("rapport-%(slug)s") % {"slug": mission.slug})


@require_safe
def missions_ics(request: HttpRequest) -> HttpResponse:
    # The published missions whoever asks: a calendar program subscribes without signing in, and a staff
    # member's subscription must not leak unpublished missions into a shared calendar.
    missions = visible_missions(AnonymousUser()).order_by("starts_at", "pk")
    response = HttpResponse(missions_calendar(missions), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="missions.ics"'
    return response


def zone_form(request: HttpRequest, reader: str) -> ReaderZoneForm:
    return ReaderZoneForm(initial={"timezone": reader, "next": request.get_full_path()})


@require_POST
def timezone_choice(request: HttpRequest) -> HttpResponseRedirect:
    """Keeps the reader's zone in their session and brings them back to the page they were on (only a page
    of this site: `next` comes from the request)."""
    form = ReaderZoneForm(request.POST)
    if form.is_valid():
        remember_reader_zone(request, form.cleaned_data["timezone"])
    else:
        messages.error(
            request, _("Ce fuseau horaire n'est pas proposé : choisissez l'heure de Paris ou de Montréal.")
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("partnerships:missions")
    return HttpResponseRedirect(target)
