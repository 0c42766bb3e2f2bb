"""Issue 4 point 4: the PDF renderer serves only the platform's static and media files and fetches nothing
else (no network, no local file outside the roots), and user text reaches the PDF escaped."""

import builtins
import io
import logging
import re
import select
import socket
from pathlib import Path

import pypdf
import pytest
from django.template import Context, Template
from PIL import Image

from fabrique.pdf import (
    ForbiddenResource,
    PlatformURLFetcher,
    media_file_path,
    render_html_to_pdf,
    render_pdf,
)

PROJECT_TEXT_TEMPLATE = "<html><body><h1>{{ title }}</h1><p>{{ text }}</p></body></html>"


@pytest.fixture
def listener():
    """A TCP server on 127.0.0.1 (random port) that never accepts: any connection attempt stays pending."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    yield server
    server.close()


def connection_attempted(server):
    readable, _, _ = select.select([server], [], [], 0.2)
    return bool(readable)


def pdf_text(pdf_bytes):
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages)


def image_xobjects(pdf_bytes):
    """Subtypes of the XObjects of every page (a raster image gives "/Image")."""
    subtypes = []
    for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        subtypes += [xobject.get_object()["/Subtype"] for xobject in xobjects.values()]
    return subtypes


def page_content(pdf_bytes):
    return b"".join(page.get_contents().get_data() for page in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages)


def write_png(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (11, 85, 99)).save(path, format="PNG")


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    write_png(root / "fiches" / "photo.png")
    settings.MEDIA_ROOT = root
    return root


def test_pdf_renderer_opens_no_connection_for_images_stylesheets_imports_or_fonts(listener, caplog):
    port = listener.getsockname()[1]
    remote = f"http://127.0.0.1:{port}"
    html = f"""<html><head>
        <link rel="stylesheet" href="{remote}/link.css">
        <style>
          @import url("{remote}/import.css");
          @font-face {{ font-family: Remote; src: url("{remote}/font.woff2"); }}
          body {{ background: url("{remote}/background.png"); font-family: Remote, "DejaVu Sans"; }}
        </style></head>
        <body><p>Bonjour</p><img src="{remote}/x"><img src="https://127.0.0.1:{port}/y"></body></html>"""

    # WeasyPrint logs refused fonts at DEBUG level, the other refusals at ERROR.
    with caplog.at_level(logging.DEBUG, logger="weasyprint"):
        pdf = render_pdf(html)

    assert pdf.startswith(b"%PDF")
    assert "Bonjour" in pdf_text(pdf)
    assert not connection_attempted(listener)
    # WeasyPrint logged each refusal instead of fetching.
    refused = [record.getMessage() for record in caplog.records if "ForbiddenResource" in record.getMessage()]
    for path in ("link.css", "import.css", "font.woff2", "background.png", "/x", "/y"):
        assert any(path in message for message in refused), path


def test_pdf_renderer_does_not_read_local_files_by_file_url(monkeypatch):
    opened = []
    real_open = builtins.open

    def spying_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spying_open)
    html = """<link rel="stylesheet" href="file:///etc/passwd">
        <img src="file:///etc/passwd"><object data="file:///etc/passwd"></object>
        <iframe src="file:///etc/passwd"></iframe><p>Fiche</p>"""

    pdf = render_pdf(html)

    assert not [path for path in opened if "passwd" in path]
    assert "root:" not in pdf_text(pdf)


def test_pdf_renderer_uses_an_installed_font_through_local_font_face(caplog):
    html = """<style>@font-face { font-family: Fiche; src: local("DejaVu Sans"); }
        p { font-family: Fiche; }</style><p>Fiche</p>"""

    with caplog.at_level(logging.DEBUG, logger="weasyprint"):
        pdf = render_pdf(html)

    assert "Fiche" in pdf_text(pdf)
    assert not [record for record in caplog.records if "Failed to load" in record.getMessage()]


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "file:///usr/share/fonts/../../../etc/passwd", "file:///usr/share/fonts/x.txt"],
)
def test_pdf_fetcher_refuses_local_files_other_than_installed_fonts(url):
    with pytest.raises(ForbiddenResource):
        PlatformURLFetcher().fetch(url)


def test_pdf_renderer_refuses_data_uris():
    with pytest.raises(ForbiddenResource):
        PlatformURLFetcher().fetch("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>")


def test_pdf_renderer_embeds_the_platforms_static_svg_logo(caplog):
    without_logo = render_pdf("<p>Fiche</p>")

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        with_logo = render_pdf('<p>Fiche</p><img src="/static/img/logo.svg" width="64" height="64">')

    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    # The SVG is drawn as vector paths: the page draws more, including the logo's fill #0b5563.
    assert len(page_content(with_logo)) > len(page_content(without_logo))
    assert re.search(rb"0\.04313\d* 0\.33333\d* 0\.38823\d* rg", page_content(with_logo))


def test_pdf_renderer_embeds_a_static_raster_image(settings, tmp_path):
    write_png(tmp_path / "static" / "img" / "photo.png")
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    settings.STATIC_ROOT = tmp_path / "not-collected"

    pdf = render_pdf('<img src="/static/img/photo.png">')

    assert "/Image" in image_xobjects(pdf)


def test_pdf_renderer_embeds_media_files_by_media_url_and_fabrique_media_scheme(media_root):
    assert "/Image" in image_xobjects(render_pdf('<img src="/media/fiches/photo.png">'))
    assert "/Image" in image_xobjects(render_pdf('<img src="fabrique-media:fiches/photo.png">'))


def test_pdf_renderer_leaves_out_a_missing_static_file(caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf('<p>Fiche</p><img src="/static/img/absent.png">')

    assert "/Image" not in image_xobjects(pdf)
    assert any("absent.png" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "url",
    [
        "fabrique-media:../../etc/passwd",
        "fabrique-media:fiches/../../../etc/passwd",
        "fabrique-media:%2e%2e/%2e%2e/etc/passwd",
        "fabrique-media:/etc/passwd",
        "fabrique-media:fiches\\..\\..\\secret",
        "https://fabrique.invalid/media/../../etc/passwd",
        "https://fabrique.invalid/media/%2e%2e/%2e%2e/etc/passwd",
        "https://fabrique.invalid/static/../../../etc/passwd",
        "https://fabrique.invalid/etc/passwd",
        "https://fabrique.invalid.evil.example/static/img/logo.svg",
    ],
)
def test_pdf_fetcher_refuses_path_traversal_out_of_media_and_static(media_root, url):
    with pytest.raises(ForbiddenResource):
        PlatformURLFetcher().fetch(url)


def test_pdf_fetcher_refuses_a_symbolic_link_leaving_media_root(media_root, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    (media_root / "link.txt").symlink_to(secret)

    with pytest.raises(ForbiddenResource):
        media_file_path("link.txt")


def test_pdf_renderer_refuses_media_traversal_while_rendering(media_root, monkeypatch):
    opened = []
    real_read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda path: opened.append(str(path)) or real_read_bytes(path))

    pdf = render_pdf('<img src="/media/../../etc/passwd"><img src="fabrique-media:../../etc/passwd"><p>F</p>')

    assert not [path for path in opened if "passwd" in path]
    assert "root:" not in pdf_text(pdf)


def test_project_text_reaches_the_pdf_escaped_and_fetches_nothing(listener, settings):
    port = listener.getsockname()[1]
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [("django.template.loaders.locmem.Loader", {"fiche.html": PROJECT_TEXT_TEMPLATE})]
            },
        }
    ]
    text = f'<script>alert(1)</script><img src="http://127.0.0.1:{port}/x">'

    pdf = render_html_to_pdf("fiche.html", {"title": "Recyclerie", "text": text})

    extracted = pdf_text(pdf)
    assert "Recyclerie" in extracted
    assert "<script>alert(1)</script>" in extracted
    assert f'<img src="http://127.0.0.1:{port}/x">' in extracted
    assert not connection_attempted(listener)


def test_unescaped_project_text_still_fetches_nothing(listener):
    """Defence in depth: even markup that escaped the template's autoescape cannot reach the network."""
    port = listener.getsockname()[1]
    text = f'<script>alert(1)</script><img src="http://127.0.0.1:{port}/x"><p>Suite</p>'
    html = Template("{{ text|safe }}").render(Context({"text": text}))

    pdf = render_pdf(html)

    assert "alert(1)" not in pdf_text(pdf)  # WeasyPrint never runs nor prints scripts
    assert "Suite" in pdf_text(pdf)
    assert not connection_attempted(listener)


def test_pdf_renderer_embeds_a_collected_static_file_with_a_hashed_name(settings, tmp_path):
    """In production {% static %} gives the manifest's hashed name, present only in STATIC_ROOT."""
    write_png(tmp_path / "collected" / "img" / "photo.0123abcd4567.png")
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STATICFILES_DIRS = []

    pdf = render_pdf('<img src="/static/img/photo.0123abcd4567.png">')

    assert "/Image" in image_xobjects(pdf)
