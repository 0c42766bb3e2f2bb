"""Security headers (issue 8, point 3): a Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval',
the pages it governs free of inline code, and the other headers, as development and production send them."""

import json
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from fabrique.settings import tile_origin
from tests import factories
from tests.test_settings import production_key, run_python

pytestmark = pytest.mark.django_db

CSP = "Content-Security-Policy"
EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "https://tile.openstreetmap.org"],
    "connect-src": ["'self'"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy(response) -> dict[str, list[str]]:
    directives = (part.strip().split() for part in response[CSP].split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def test_every_page_gets_the_strict_policy(client):
    response = client.get(reverse("home"))

    assert policy(response) == EXPECTED_POLICY
    assert "unsafe" not in response[CSP]


def test_map_tiles_are_allowed_from_the_configured_tile_server_only():
    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert tile_origin(settings.MAP_TILE_URL) in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]


def test_the_staff_fiche_preview_admits_its_own_style_by_a_nonce_and_nothing_else(client, staff, tag22):
    project = factories.ProjectFactory(structure=tag22)
    client.force_login(staff)

    response = client.get(reverse("projects:fiche", args=[project.slug]), {"format": "html"})

    assert response.status_code == 200
    [nonce_source] = [source for source in policy(response)["style-src"] if source.startswith("'nonce-")]
    nonce = nonce_source.removeprefix("'nonce-").removesuffix("'")
    assert f'<style nonce="{nonce}">' in response.content.decode()
    assert policy(response)["script-src"] == ["'self'"]


def test_the_other_headers_are_sent_with_every_page(client):
    response = client.get(reverse("home"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
        "payment=(), usb=()"
    )


def test_files_for_download_carry_the_headers_too(client):
    response = client.get(reverse("projects:opendata_csv"))

    assert response[CSP]
    assert response["X-Content-Type-Options"] == "nosniff"


# Run in a subprocess with FABRIQUE_ENV=production: the headers and cookies the production settings give
# an HTTPS request to /sante/ (a JSON answer: no template, so no collected static files needed; its
# database is an empty SQLite file, which it reports honestly without failing the request).
PRODUCTION_REQUEST = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/sante/", secure=True, HTTP_HOST="fabrique.avise.org")
plain = Client().get("/sante/", HTTP_HOST="fabrique.avise.org")
print(json.dumps({
    "headers": dict(response.headers),
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location", ""),
    "cookies_secure": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "cookies_httponly": [settings.SESSION_COOKIE_HTTPONLY, settings.CSRF_COOKIE_HTTPONLY],
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    done = run_python(
        ["-c", PRODUCTION_REQUEST],
        FABRIQUE_ENV="production",
        SECRET_KEY=production_key(),
        ALLOWED_HOSTS="fabrique.avise.org",
        SQLITE_PATH=str(tmp_path_factory.mktemp("production") / "db.sqlite3"),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_for_a_year_with_subdomains_and_preload(production):
    assert (
        production["headers"]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    )


def test_production_redirects_plain_http_to_https(production):
    assert production["plain_status"] == 301
    assert production["plain_location"] == "https://fabrique.avise.org/sante/"


def test_production_sends_the_policy_and_the_other_headers(production):
    headers = production["headers"]

    assert "unsafe" not in headers[CSP]
    assert "frame-ancestors 'none'" in headers[CSP]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Permissions-Policy"].startswith("accelerometer=()")


def test_production_cookies_are_secure_and_http_only(production):
    assert production["cookies_secure"] == [True, True]
    assert production["cookies_httponly"] == [True, True]


# --- No inline code in the pages the policy governs -------------------------------------------------------


class InlineCode(HTMLParser):
    """Collects what the policy would block: inline <script> and <style> (a nonce excepted), style="…"
    attributes, on…= handlers and javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and "src" not in named and named.get("type") != "application/json":
            self.found.append(f"<script> at line {self.getpos()[0]}")
        if tag == "style" and "nonce" not in named:
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f'<{tag} {name}="{value}"> at line {self.getpos()[0]}')
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f'<{tag} {name}="{value}"> at line {self.getpos()[0]}')


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def pages(tag22, coordinator):
    programme = factories.ProgrammeFactory(is_published=True)
    project = factories.ProjectFactory(
        structure=tag22, programme=programme, is_published=True, published_at=timezone.now()
    )
    return {
        "public": [
            reverse("home"),
            reverse("projects:directory"),
            reverse("projects:detail", args=[project.slug]),
            reverse("projects:opendata"),
            reverse("network:directory"),
            reverse("network:map"),
            reverse("network:detail", args=[tag22.slug]),
            reverse("programmes:list"),
            reverse("programmes:detail", args=[programme.slug]),
            reverse("account_login"),
            reverse("account_reset_password"),
        ],
        "coordinator": [
            reverse("projects:workspace"),
            reverse("projects:create"),
            reverse("projects:detail", args=[project.slug]),
            reverse("projects:edit", args=[project.slug]),
            reverse("projects:fiche", args=[project.slug]),
        ],
        "staff": [
            reverse("projects:dashboard"),
            reverse("spreadsheets:import"),
            reverse("admin:index"),
            reverse("admin:projects_project_changelist"),
            reverse("admin:projects_project_change", args=[project.pk]),
            reverse("admin:projects_project_history", args=[project.pk]),
            reverse("admin:network_structure_changelist"),
            reverse("admin:network_region_changelist"),
        ],
    }


def test_no_page_holds_inline_code_the_policy_would_block(
    client, pages, coordinator, staff, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    found = {}
    for who, urls in pages.items():
        if who != "public":
            client.force_login(coordinator if who == "coordinator" else staff)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            found[url] = inline_code(response.content.decode())

    assert {url: code for url, code in found.items() if code} == {}


def test_htmx_is_told_not_to_inject_styles_nor_evaluate_code(client):
    html = client.get(reverse("home")).content.decode()

    config = html.split('<meta name="htmx-config" content=\'', 1)[1].split("'", 1)[0]
    assert json.loads(config) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
    }
