"""French full-text search of the directory on PostgreSQL: accents ignored, words stemmed, ranked, indexed."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from projects.models import Project
from projects.search import search_projects
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

URL = reverse("projects:directory")
PUBLISHED = {"is_published": True, "published_at": dt.datetime(2025, 1, 1, 10, tzinfo=dt.UTC)}


@pytest.fixture
def projects(tag22):
    def make(slug: str, title: str, need: str = "") -> Project:
        return factories.ProjectFactory(slug=slug, title=title, need=need, structure=tag22, **PUBLISHED)

    return {
        "epicerie": make("epicerie", "Épicerie solidaire de Retiers", "Des produits locaux à prix justes."),
        "mobilite": make(
            "mobilite", "Plateforme de mobilité", "Des habitants sans voiture pour aller travailler."
        ),
        "garage": make("garage", "Garage solidaire", "Réparer les voitures à petit prix."),
        "aidants": make("aidants", "Plateforme d'aide aux aidants", "Des aidants épuisés."),
    }


def found(text: str) -> list[str]:
    return sorted(search_projects(Project.objects.all(), text).values_list("slug", flat=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("epicerie", ["epicerie"]),  # no accent typed, « Épicerie » found
        ("ÉPICERIES", ["epicerie"]),  # capitals and plural
        ("mobilites", ["mobilite"]),  # stemmed and unaccented: « mobilité »
        ("voiture", ["garage", "mobilite"]),  # the need is searched too
        ("plateforme aidants", ["aidants"]),  # every word must match
        ("plateforme -aidants", ["mobilite"]),  # web-search syntax: « -word » excludes
        ('"aide aux aidants"', ["aidants"]),  # a quoted phrase
        ("le la du", []),  # only French stop words: nothing rather than everything
    ],
)
def test_search_is_french_and_ignores_accents(projects, text, expected):
    assert found(text) == expected


def test_search_accepts_any_input_without_an_error(client, projects):
    response = client.get(URL, {"q": "\"garage ( or - & | ! :* ' \\"})
    assert response.status_code == 200


def test_a_search_is_sorted_by_relevance_with_title_matches_first(client, projects):
    # The garage's need mentions « voiture » once; the mobility platform, updated later, too. A title
    # match weighs more than a need match.
    Project.objects.filter(slug="mobilite").update(updated_at=timezone.now() + dt.timedelta(days=1))
    factories.ProjectFactory(
        slug="voitures", title="Voitures partagées", structure=projects["garage"].structure, **PUBLISHED
    )
    response = client.get(URL, {"q": "voiture"})
    assert str(response.context["sort_label"]) == "Pertinence (avec une recherche)"
    first, *others = [card.slug for card in response.context["cards"]]
    assert (first, sorted(others)) == ("voitures", ["garage", "mobilite"])


def test_a_search_can_still_be_sorted_by_title(client, projects):
    response = client.get(URL, {"q": "plateforme", "tri": "titre"})
    assert [card.slug for card in response.context["cards"]] == ["aidants", "mobilite"]


def test_the_directory_finds_words_without_their_accents(client, projects):
    response = client.get(URL, {"q": "mobilites"})
    assert [card.slug for card in response.context["cards"]] == ["mobilite"]
    assert response.context["total"] == 1


def test_the_search_uses_the_gin_index(projects):
    # On four rows a sequential scan is cheaper: forbid it to see whether the index *can* serve the query,
    # i.e. whether the query repeats the indexed expression of migration 0003.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search_projects(Project.objects.order_by(), "epicerie").explain()
    assert "project_search_fr" in plan
