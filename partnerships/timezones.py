"""The time zones of the mission pages. A mission's times are stored in UTC and shown in the zone where it
takes place (`Mission.timezone`) and, when it differs, in the reader's zone: the one they chose on the
mission pages, kept in their session (Paris by default, the site's audience being mostly in France)."""

from collections.abc import Iterable
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from partnerships.models import Mission, MissionTimeZone

SESSION_KEY = "partnerships_reader_timezone"
DEFAULT_ZONE = MissionTimeZone.PARIS.value

# Written in the running text (« 20:00, heure de Montréal »), hence the lower case of these labels.
ZONE_LABELS = {
    MissionTimeZone.PARIS.value: _("heure de Paris"),
    MissionTimeZone.TORONTO.value: _("heure de Montréal"),
}


def zone_label(zone: str) -> str:
    return str(ZONE_LABELS[zone])


def zone_choices() -> list[tuple[str, str]]:
    return list(ZONE_LABELS.items())


class ShownZone(NamedTuple):
    name: str
    label: str


def shown_zones(mission_zone: str, reader: str) -> list[ShownZone]:
    """The zones a mission's times are shown in: its own, then the reader's when it differs."""
    zones = [mission_zone] if mission_zone == reader else [mission_zone, reader]
    return [ShownZone(zone, zone_label(zone)) for zone in zones]


def attach_shown_zones(missions: Iterable[Mission], reader: str) -> None:
    """Sets `shown_zones` on each mission for the templates (which cannot look a dict up by key)."""
    for mission in missions:
        mission.shown_zones = shown_zones(mission.timezone, reader)


def reader_zone(request: HttpRequest) -> str:
    """The zone the reader chose, or Paris; a stale or forged value in the session falls back to Paris."""
    chosen = request.session.get(SESSION_KEY, DEFAULT_ZONE)
    return chosen if chosen in ZONE_LABELS else DEFAULT_ZONE


def remember_reader_zone(request: HttpRequest, zone: str) -> None:
    if zone not in ZONE_LABELS:
        raise ValueError(zone)
    request.session[SESSION_KEY] = zone


def zone_info(zone: str) -> ZoneInfo:
    return ZoneInfo(zone)


class ReaderZoneForm(forms.Form):
    """« Afficher les heures en : » on the mission pages; `next` brings the reader back where they were."""

    timezone = forms.ChoiceField(label=_("Afficher les heures en :"), choices=zone_choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
