"""French dates: « 1er janvier 2020 », never « 1 janvier 2020 » (the `|date_fr` filter and `french_date`)."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from fabrique.templatetags.french_dates import french_date


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("day", "expected"), [(dt.date(2020, 1, 1), "1er janvier 2020"), (dt.date(2020, 1, 2), "2 janvier 2020")]
)
def test_first_day_of_the_month_is_written_as_an_ordinal_in_french(day, expected):
    with translation.override("fr"):
        assert render('{{ day|date_fr:"j F Y" }}', day=day) == expected
        assert render("{{ day|date_fr }}", day=day) == expected  # DATE_FORMAT is « j F Y » in French
        assert french_date(day, "j F Y") == expected


def test_english_keeps_its_own_date_format():
    with translation.override("en"):
        assert render('{{ day|date_fr:"j F Y" }}', day=dt.date(2020, 1, 1)) == "1 January 2020"


def test_a_format_not_starting_with_the_day_is_left_alone():
    with translation.override("fr"):
        assert render('{{ day|date_fr:"F Y" }}', day=dt.date(2020, 1, 1)) == "janvier 2020"


def test_datetimes_use_the_local_day(settings):
    # 31 December 23:30 UTC is already 1 January in Paris.
    moment = dt.datetime(2019, 12, 31, 23, 30, tzinfo=dt.UTC)
    with translation.override("fr"):
        assert render('{{ moment|date_fr:"j F Y à H:i" }}', moment=moment) == "1er janvier 2020 à 00:30"


def test_empty_value_gives_an_empty_string():
    assert render('{{ missing|date_fr:"j F Y" }}') == ""
