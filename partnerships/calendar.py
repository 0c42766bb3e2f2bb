"""The iCalendar feed of the published missions (RFC 5545), for calendar programs to subscribe to.

Each mission is one VEVENT whose start and end carry the TZID of the zone where it takes place, with the
matching VTIMEZONE components, so a calendar shows it at the right hour wherever its reader is."""

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, Event

from partnerships.models import Mission
from partnerships.timezones import zone_info

CALENDAR_NAME = _("Missions Québec–France — Fabrique à initiatives")


def mission_uid(mission: Mission) -> str:
    """Stable across requests and edits: the slug is unique and the site's host names the calendar."""
    return f"{mission.slug}@{urlsplit(settings.SITE_URL).hostname}"


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def mission_event(mission: Mission) -> Event:
    zone = zone_info(mission.timezone)
    event = Event()
    event.add("uid", mission_uid(mission))
    # DTSTAMP of a published feed (no METHOD) is the last revision of the event: stable between requests.
    event.add("dtstamp", mission.updated_at)
    event.add("last-modified", mission.updated_at)
    event.add("dtstart", mission.starts_at.astimezone(zone))
    event.add("dtend", mission.ends_at.astimezone(zone))
    event.add("summary", mission.title)
    if mission.cities:
        event.add("location", mission.cities)
    kind = f"{mission.get_kind_display()} — {mission.get_direction_display()}"
    event.add("description", f"{mission.summary}\n\n{kind}" if mission.summary else kind)
    event.add("url", absolute_url(reverse("partnerships:mission_detail", args=[mission.slug])))
    return event


def missions_calendar(missions: Iterable[Mission]) -> bytes:
    """The feed of `missions`, encoded as the RFC wants it (CRLF lines folded at 75 octets, UTF-8)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Avise//Fabrique à initiatives//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", str(CALENDAR_NAME))
    for mission in missions:
        calendar.add_component(mission_event(mission))
    calendar.add_missing_timezones()
    return calendar.to_ical()
