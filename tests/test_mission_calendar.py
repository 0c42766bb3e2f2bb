"""The time zones of the missions and their iCalendar feed (issue 6, acceptance): a mission's times are
stored in UTC, shown in the zone where it takes place (« heure de Paris » / « heure de Montréal ») and in the
reader's zone when it differs (chosen on the mission pages, kept in the session); the feed /missions.ics,
parsed back by a real iCalendar parser, carries the published missions with their zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from partnerships.models import Mission
from partnerships.timezones import SESSION_KEY
from tests import factories

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MONTREAL = ZoneInfo("America/Toronto")
CHOOSE_URL = reverse("partnerships:timezone_choice")
FEED_URL = reverse("partnerships:missions_ics")


def mission_url(mission: Mission) -> str:
    return reverse("partnerships:mission_detail", args=[mission.slug])


@pytest.fixture
def montreal_mission():
    """Entered in Montréal time: 2 June 2025 at 20:00 there is 3 June at 02:00 in Paris."""
    return factories.MissionFactory(
        title="Délégation française à Joliette",
        slug="delegation-joliette",
        direction=Mission.Direction.FR_TO_QC,
        timezone=Mission.TimeZone.TORONTO,
        starts_at=dt.datetime(2025, 6, 2, 20, tzinfo=MONTREAL),
        ends_at=dt.datetime(2025, 6, 6, 12, tzinfo=MONTREAL),
        cities="Joliette, Montréal",
    )


def choose(client: Client, zone: str, next_url: str = "") -> None:
    response = client.post(CHOOSE_URL, {"timezone": zone, "next": next_url})
    assert response.status_code == 302


# --- Time zones on the pages ----------------------------------------------------------------------------


def test_montreal_mission_shows_its_own_hour_and_the_next_day_in_paris_to_a_paris_reader(
    client, montreal_mission
):
    page = client.get(mission_url(montreal_mission)).content.decode()

    assert "Du <time" in page
    assert "2 juin 2025, 20:00</time>" in page
    assert "6 juin 2025, 12:00</time> (heure de Montréal)" in page
    # The reader's zone is Paris by default: the day changes, not only the hour.
    assert "soit du 3 juin 2025, 02:00 au 6 juin 2025, 18:00 (heure de Paris)" in page


def test_montreal_reader_sees_montreal_mission_in_montreal_time_only(client, montreal_mission):
    choose(client, "America/Toronto")

    page = client.get(mission_url(montreal_mission)).content.decode()

    assert "2 juin 2025, 20:00</time>" in page
    assert "heure de Paris)" not in page


def test_paris_mission_spanning_the_autumn_clock_change_keeps_each_instant_right_in_montreal(client):
    # Paris leaves summer time on 26 October 2025, Montréal only on 2 November: the gap goes from 6 to 5 h.
    mission = factories.MissionFactory(
        timezone=Mission.TimeZone.PARIS,
        starts_at=dt.datetime(2025, 10, 24, 10, tzinfo=PARIS),
        ends_at=dt.datetime(2025, 10, 28, 18, tzinfo=PARIS),
    )
    choose(client, "America/Toronto")

    page = client.get(mission_url(mission)).content.decode()

    assert "24 octobre 2025, 10:00</time>" in page
    assert "28 octobre 2025, 18:00</time> (heure de Paris)" in page
    assert "soit du 24 octobre 2025, 04:00 au 28 octobre 2025, 13:00 (heure de Montréal)" in page


def test_montreal_mission_spanning_its_clock_change_shows_the_end_in_winter_time(client):
    mission = factories.MissionFactory(
        timezone=Mission.TimeZone.TORONTO,
        starts_at=dt.datetime(2025, 10, 31, 9, tzinfo=MONTREAL),  # 13:00 UTC, 14:00 in Paris
        ends_at=dt.datetime(2025, 11, 3, 17, tzinfo=MONTREAL),  # 22:00 UTC, 23:00 in Paris
    )
    assert mission.ends_at.astimezone(dt.UTC).hour == 22

    page = client.get(mission_url(mission)).content.decode()

    assert "soit du 31 octobre 2025, 14:00 au 3 novembre 2025, 23:00 (heure de Paris)" in page


def test_mission_list_shows_both_zones_too(client, montreal_mission):
    page = client.get(reverse("partnerships:missions")).content.decode()

    assert "2 juin 2025, 20:00</time>" in page
    assert "soit du 3 juin 2025, 02:00" in page


def test_zone_choice_is_kept_in_the_session_and_brings_the_reader_back(client, montreal_mission):
    response = client.post(CHOOSE_URL, {"timezone": "America/Toronto", "next": mission_url(montreal_mission)})

    assert response.status_code == 302
    assert response["Location"] == mission_url(montreal_mission)
    assert client.session[SESSION_KEY] == "America/Toronto"


def test_zone_choice_never_redirects_to_another_site(client):
    response = client.post(CHOOSE_URL, {"timezone": "Europe/Paris", "next": "https://evil.example.com/"})

    assert response["Location"] == reverse("partnerships:missions")


def test_unknown_zone_is_refused_with_a_message_and_changes_nothing(client):
    choose(client, "America/Toronto")

    response = client.post(CHOOSE_URL, {"timezone": "Asia/Tokyo", "next": "/missions/"}, follow=True)

    assert client.session[SESSION_KEY] == "America/Toronto"
    assert "Ce fuseau horaire n&#x27;est pas proposé" in response.content.decode()


def test_forged_zone_in_the_session_falls_back_to_paris(client, montreal_mission):
    session = client.session
    session[SESSION_KEY] = "Asia/Tokyo"
    session.save()

    page = client.get(mission_url(montreal_mission)).content.decode()

    assert "(heure de Paris)" in page


def test_zone_choice_needs_a_post_with_its_csrf_token(montreal_mission):
    strict = Client(enforce_csrf_checks=True)

    assert strict.get(CHOOSE_URL).status_code == 405
    assert strict.post(CHOOSE_URL, {"timezone": "America/Toronto"}).status_code == 403
    page = strict.get(mission_url(montreal_mission)).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    assert f'action="{CHOOSE_URL}"' in page


# --- The iCalendar feed ---------------------------------------------------------------------------------


def feed(client: Client) -> Calendar:
    response = client.get(FEED_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_feed_carries_each_published_mission_at_its_stored_instant_in_its_zone(client, montreal_mission):
    cereso = factories.MissionFactory(
        title="Mission du CERESO à Tarnos",
        slug="mission-cereso-2023",
        timezone=Mission.TimeZone.PARIS,
        starts_at=dt.datetime(2023, 10, 16, 9, tzinfo=PARIS),
        ends_at=dt.datetime(2023, 10, 21, 17, tzinfo=PARIS),
        cities="Tarnos, Bayonne",
        summary="Consolider l'entente.",
    )

    calendar = feed(client)

    assert str(calendar["X-WR-CALNAME"]) == "Missions Québec–France — Fabrique à initiatives"
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"delegation-joliette@127.0.0.1", "mission-cereso-2023@127.0.0.1"}
    for mission in (montreal_mission, cereso):
        event = events[f"{mission.slug}@127.0.0.1"]
        assert event.decoded("DTSTART") == mission.starts_at
        assert event.decoded("DTEND") == mission.ends_at
        assert event["DTSTART"].params["TZID"] == mission.timezone
        assert event["DTEND"].params["TZID"] == mission.timezone
        assert str(event["SUMMARY"]) == mission.title
        assert str(event["URL"]) == f"http://127.0.0.1:8000/missions/{mission.slug}/"
        assert event.decoded("LAST-MODIFIED") == mission.updated_at.replace(microsecond=0)
        assert "DTSTAMP" in event
    assert str(events["mission-cereso-2023@127.0.0.1"]["LOCATION"]) == "Tarnos, Bayonne"
    description = str(events["mission-cereso-2023@127.0.0.1"]["DESCRIPTION"])
    assert "Consolider l'entente." in description
    assert "Voyage d'étude — Québec → France" in description
    # The zones are described in the feed itself, for programs that do not know them.
    assert {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")} == {"Europe/Paris", "America/Toronto"}


def test_feed_leaves_out_unpublished_missions_even_for_staff(client, staff, montreal_mission):
    factories.MissionFactory(slug="brouillon", is_published=False)
    factories.MissionFactory(slug="partenariat-cache", partnership__is_published=False)
    client.force_login(staff)

    uids = [str(event["UID"]) for event in feed(client).walk("VEVENT")]

    assert uids == ["delegation-joliette@127.0.0.1"]


def test_feed_uids_are_stable_across_requests(client, montreal_mission, settings):
    settings.SITE_URL = "https://fabrique.avise.org"
    first = [str(event["UID"]) for event in feed(client).walk("VEVENT")]
    second = [str(event["UID"]) for event in feed(client).walk("VEVENT")]

    assert first == second == ["delegation-joliette@fabrique.avise.org"]


def test_empty_feed_is_still_a_valid_calendar(client):
    calendar = feed(client)

    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"


def test_feed_runs_one_query_for_one_or_many_missions(client, django_assert_num_queries):
    factories.MissionFactory()
    # the published missions
    with django_assert_num_queries(1):
        feed(client)
    factories.MissionFactory.create_batch(5)
    with django_assert_num_queries(1):
        assert len(feed(client).walk("VEVENT")) == 6


def test_mission_list_links_to_the_feed(client):
    page = client.get(reverse("partnerships:missions")).content.decode()

    assert f'href="{FEED_URL}"' in page
    assert "S'abonner (iCalendar)" in page
