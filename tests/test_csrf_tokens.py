"""Every POST form of the pages that write carries its CSRF token. The test client does not enforce CSRF,
so a form that lost its token (an `{% include … only %}` drops it) would pass every other test and fail in
a real browser: this reads the rendered pages instead."""

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.utils import timezone

from network.appellation import services
from tests import factories

pytestmark = pytest.mark.django_db


class PostForms(HTMLParser):
    """The POST forms of a page, each with the CSRF token values found inside it."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = {"action": attrs.get("action"), "tokens": []}
            self.forms.append(self.current)
        elif tag == "input" and self.current is not None and attrs.get("name") == "csrfmiddlewaretoken":
            self.current["tokens"].append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def forms_without_token(client, url) -> tuple[int, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = PostForms()
    parser.feed(response.content.decode())
    missing = [form["action"] for form in parser.forms if not any(form["tokens"])]
    return len(parser.forms), missing


@pytest.fixture
def dossier(coordinator, tag22):
    application = services.start_application(user=coordinator, structure=tag22)
    return application


@pytest.fixture
def seated_member(staff, dossier, coordinator):
    """A labelled structure's coordinator seated on a session examining TAg22's submitted dossier."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from network.appellation import selectors

    services.update_dossier(
        user=coordinator, application=dossier, **dict.fromkeys(selectors.DOSSIER_SECTIONS, "Texte. " * 40)
    )
    services.add_dossier_document(
        user=coordinator,
        application=dossier,
        title="Rapport",
        uploaded_file=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    services.submit_application(user=coordinator, application=dossier)
    committee = services.create_committee(
        user=staff, held_on=timezone.localdate() + dt.timedelta(days=10), place="Avise, Paris"
    )
    services.attach_application(user=staff, committee=committee, application=dossier)
    member = factories.StructureFactory(name="ATIS", labelled=True)
    services.set_members(user=staff, committee=committee, structures=[member])
    return factories.CoordinatorFactory(structure=member).user, committee


def test_coordinators_dossier_and_project_forms_carry_their_token(client, coordinator, dossier, tag22):
    project = factories.ProjectFactory(structure=tag22)
    client.force_login(coordinator)
    for url in (f"/reseau/{tag22.slug}/appellation/", f"/projets/{project.slug}/", "/espace/"):
        count, missing = forms_without_token(client, url)
        assert count >= 1 and missing == [], url


def test_members_opinion_form_carries_its_token(client, seated_member, tag22):
    member, _committee = seated_member
    client.force_login(member)
    count, missing = forms_without_token(client, f"/reseau/{tag22.slug}/appellation/")
    assert count >= 1 and missing == []


def test_staff_session_and_phase_forms_carry_their_token(client, staff, seated_member, tag22):
    _member, committee = seated_member
    client.force_login(staff)
    for url in (
        f"/pilotage/appellation/comites/{committee.pk}/",
        f"/pilotage/appellation/structures/{tag22.slug}/phase/",
        "/pilotage/appellation/comites/nouveau/",
    ):
        count, missing = forms_without_token(client, url)
        assert count >= 1 and missing == [], url


def test_public_mission_pages_time_zone_form_carries_its_token(client):
    mission = factories.MissionFactory(is_published=True)
    for url in ("/missions/", f"/missions/{mission.slug}/"):
        count, missing = forms_without_token(client, url)
        assert count >= 1 and missing == [], url


TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INCLUDE_ONLY = re.compile(r'{%\s*include\s+"([^"]+)"([^%]*?)\bonly\s*%}')


def test_no_include_with_only_drops_the_csrf_token_of_a_form():
    """`{% include "x.html" with … only %}` hides the page's context, csrf_token included: a template
    holding {% csrf_token %} must receive it explicitly (`csrf_token=csrf_token`)."""
    with_token = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "{% csrf_token %}" in path.read_text()
    }
    dropped = [
        f"{path.relative_to(TEMPLATES)} → {name}"
        for path in TEMPLATES.rglob("*.html")
        for name, arguments in INCLUDE_ONLY.findall(path.read_text())
        if name in with_token and "csrf_token=csrf_token" not in arguments
    ]
    assert dropped == []
