"""The home page: the network's presentation, its key figures in French, the header by role; and the error
pages that share the layout."""

import datetime as dt
import re
from html import escape

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.defaults import permission_denied, server_error

from fabrique import views
from network.models import Structure
from projects.models import Project
from projects.selectors import StageCount
from tests import factories

pytestmark = pytest.mark.django_db


def figure(html: str, label: str) -> int:
    """The number shown right after `label` in a breakdown row (`<dt>label</dt><dd>n</dd>`)."""
    match = re.search(rf"<dt>{re.escape(escape(label))}</dt>\s*<dd>([\d\s\u00a0\u202f]+)</dd>", html)
    assert match, f"no figure labelled {label!r}"
    return int(re.sub(r"\D", "", match.group(1)))


def make_project(stage: str) -> Project:
    extra = {}
    if stage == Project.Stage.LAUNCHED:
        extra["started_on"] = dt.date(2024, 1, 1)
    if stage == Project.Stage.ABANDONED:
        extra["abandon_reason"] = "Pas de porteur de projet trouvé."
    return factories.ProjectFactory(stage=stage, **extra)


def test_home_page_presents_the_network_in_french(client):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "La Fabrique à initiatives est un dispositif créé en 2010 par l'Avise" in html
    assert "Chiffres clés" in html
    assert 'href="#contenu"' in html and 'id="contenu"' in html


def test_home_page_shows_structures_per_phase_with_french_labels(client):
    factories.StructureFactory.create_batch(3, phase=Structure.Phase.EXPERIMENTATION)
    factories.StructureFactory.create_batch(2, labelled=True)
    factories.StructureFactory(phase=Structure.Phase.APPLICATION)

    html = client.get("/").content.decode()

    assert figure(html, "Expérimentation") == 3
    assert figure(html, "Appellation") == 2
    assert figure(html, "Demande d'appellation en cours") == 1
    assert re.search(r'class="figure-card__number">6</span>\s*structures', html)
    # Phases without any structure are left out.
    assert "<dt>Suspendue</dt>" not in html
    assert "<dt>Candidate</dt>" not in html


def test_home_page_shows_projects_per_stage_published_or_not(client):
    for stage, count in [
        (Project.Stage.DETECTION, 4),
        (Project.Stage.INVENTION, 2),
        (Project.Stage.LAUNCHED, 1),
        (Project.Stage.ABANDONED, 1),
    ]:
        for _ in range(count):
            make_project(stage)
    assert not Project.objects.filter(is_published=True).exists()

    html = client.get("/").content.decode()

    assert figure(html, "Détecter") == 4
    assert figure(html, "Inventer") == 2
    assert figure(html, "Lancer") == 0
    assert figure(html, "Lancé") == 1
    assert figure(html, "Abandonné") == 1
    assert re.search(r'class="figure-card__number">8</span>\s*projets', html)
    # The stages follow the method's order.
    order = [html.index(f"<dt>{label}</dt>") for label in ("Détecter", "Inventer", "Lancer", "Lancé")]
    assert order == sorted(order)


def test_home_page_lists_published_programmes_with_their_period(client):
    factories.ProgrammeFactory(
        name="Emergence de garages solidaires",
        slug="emergence-garages-solidaires",
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2021, 12, 31),
    )
    factories.ProgrammeFactory(
        name="Transfert de savoir-faire des Territoires French Impact",
        start_date=dt.date(2020, 3, 1),
        end_date=None,
    )
    factories.ProgrammeFactory(name="Programme en préparation", is_published=False)

    html = client.get("/").content.decode()

    assert re.search(
        r'<a class="programme-list__name" href="/programmes/emergence-garages-solidaires/">'
        r"Emergence de garages solidaires</a>\s*<span[^>]*>2020–2021</span>",
        html,
    )
    assert re.search(r"Territoires French Impact</a>\s*<span[^>]*>depuis 2020</span>", html)
    assert "Programme en préparation" not in html
    assert re.search(r'class="figure-card__number">2</span>\s*programmes', html)


def test_large_figures_are_grouped_the_french_way(client, monkeypatch):
    big = [StageCount(stage=stage.value, label=str(stage.label), count=100000) for stage in Project.Stage]
    monkeypatch.setattr(views, "project_counts_by_stage", lambda: big)

    html = client.get("/").content.decode()

    # French groups thousands with a non-breaking space (narrow or not, depending on the Django version).
    assert re.search(r"<dt>Détecter</dt>\s*<dd>100[\u00a0\u202f]000</dd>", html)
    assert re.search(r"500[\u00a0\u202f]000</span>\s*projets", html)


def test_home_page_says_when_nothing_is_loaded_yet(client):
    html = client.get("/").content.decode()

    assert "Aucune structure pour le moment." in html
    assert "Aucun projet pour le moment." in html
    assert "Aucun programme publié pour le moment." in html


def test_home_page_query_count_does_not_grow_with_rows(client):
    def queries_for(rows: int) -> int:
        for _ in range(rows):
            factories.StructureFactory(phase=Structure.Phase.EXPERIMENTATION)
            make_project(Project.Stage.INVENTION)
            factories.ProgrammeFactory()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    few = queries_for(3)
    many = queries_for(27)  # 30 rows of each kind in all

    # Structures per phase, projects per stage, published programmes: one query each.
    assert few == many == 3


def test_anonymous_visitor_is_offered_to_log_in(client):
    html = client.get("/").content.decode()

    assert f'href="{reverse("account_login")}"' in html
    assert "Se connecter" in html
    assert "Administration" not in html
    assert "Se déconnecter" not in html


def test_staff_see_the_administration_link_and_their_email(client, staff):
    client.force_login(staff)

    html = client.get("/").content.decode()

    assert '<a href="/admin/">Administration</a>' in html
    assert staff.email in html


def test_coordinator_does_not_see_the_administration_link(client, coordinator):
    client.force_login(coordinator)

    html = client.get("/").content.decode()

    assert "Administration" not in html
    assert coordinator.email in html


def test_logout_control_is_a_post_form_with_csrf_token(client, coordinator):
    client.force_login(coordinator)

    html = client.get("/").content.decode()

    form = re.search(r'<form[^>]*action="/comptes/logout/"[^>]*>(.*?)</form>', html, re.S)
    assert form, "no logout form"
    assert 'method="post"' in form.group(0)
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert 'href="/comptes/logout/"' not in html


def test_language_switcher_posts_to_set_language(client):
    html = client.get("/").content.decode()

    form = re.search(r'<form[^>]*action="/i18n/setlang/"[^>]*>(.*?)</form>', html, re.S)
    assert form and 'method="post"' in form.group(0)
    assert 'name="language" value="fr"' in form.group(1)
    assert 'name="language" value="en"' in form.group(1)


def test_pages_load_no_script_or_style_from_elsewhere_and_no_inline_code(client, staff):
    client.force_login(staff)

    html = client.get("/").content.decode()

    assert re.findall(r'<script src="(/static/[^"]+)"', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r'<(script|link)[^>]*(src|href)="(https?:)?//', html), "external resource"
    assert " style=" not in html


def test_unknown_page_answers_404_in_french_with_the_layout(client):
    response = client.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert "© Avise — réseau Fabrique à initiatives" in html


def test_server_error_page_renders_without_request_context_or_database(rf):
    request = rf.get("/")

    with CaptureQueriesContext(connection) as queries:
        response = server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert "Une erreur est survenue" in html
    assert "Fabrique à initiatives" in html
    assert len(queries) == 0


def test_forbidden_page_is_in_french(rf):
    request = rf.get("/projets/")
    request.user = AnonymousUser()

    response = permission_denied(request, PermissionDenied())

    assert response.status_code == 403
    html = response.content.decode()
    assert "Accès refusé" in html
    assert "/comptes/login/?next=/projets/" in html
