"""PDF rendering with WeasyPrint that never reaches outside the platform's own files.

WeasyPrint's default fetcher follows any URL it meets (http, https, file, ftp, data), so HTML built from
user text could make the server fetch internal addresses or read local files. Every resource WeasyPrint
wants (images, stylesheets, @import, @font-face, SVG references, attachments) goes through
``PlatformURLFetcher``, which only serves:

- files under ``STATIC_URL``, found like ``collectstatic`` would (the STATIC_ROOT manifest when it exists,
  otherwise the staticfiles finders);
- files under ``MEDIA_ROOT``, named ``fabrique-media:path/to/file`` or by ``MEDIA_URL``.

Anything else raises ``ForbiddenResource``: WeasyPrint logs a warning and renders without it.

``data:`` URIs are refused too. They fetch nothing from outside, but our templates never need them, and
accepting them would let injected markup smuggle arbitrary payloads (SVG documents, huge images) past
the rule "only our own files"; an inline SVG or a static file covers every legitimate need.

Fonts: only the fonts installed on the machine (DejaVu) through fontconfig. ``@font-face { src: local(…) }``
reaches the fetcher as a ``file:`` URL of the installed font: served only inside the system font folders;
a remote ``@font-face`` src is refused like any other URL.
"""

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in the HTML (``{% static %}`` gives "/static/…") are joined to this origin, which the
# fetcher maps back to files. ".invalid" is reserved (RFC 2606): it can never resolve to a real host.
BASE_URL = "https://fabrique.invalid/"
MEDIA_SCHEME = "fabrique-media:"
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".woff", ".woff2"}


class ForbiddenResource(ValueError):
    """A resource outside the platform's static and media files: refused, never fetched."""


def _url_prefix(setting_url):
    """Path prefix of STATIC_URL / MEDIA_URL as seen after joining with BASE_URL ("static/" → "/static/")."""
    path = urlsplit(setting_url).path
    return "/" + path.strip("/") + "/"


def _clean_relative_name(name):
    """Decode and normalise a relative file name; refuse anything that could climb out of its root."""
    name = unquote(name)
    if "\\" in name or "\x00" in name:
        raise ForbiddenResource(f"Nom de fichier refusé : {name!r}")
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ForbiddenResource(f"Chemin refusé : {name!r}")
    return posixpath.join(*parts)


def _inside(path, root):
    """Resolved ``path`` if it stays inside ``root`` (symbolic links followed), else refuse."""
    resolved = Path(path).resolve()
    if not resolved.is_relative_to(Path(root).resolve()):
        raise ForbiddenResource(f"Fichier hors de son dossier : {path}")
    if not resolved.is_file():
        raise ForbiddenResource(f"Fichier introuvable : {path}")
    return resolved


def static_file_path(name):
    """Local path of a static file: collected copy (hashed names included) first, then the finders."""
    name = _clean_relative_name(name)
    static_root = Path(settings.STATIC_ROOT)
    if static_root.is_dir() and staticfiles_storage.exists(name):
        return _inside(staticfiles_storage.path(name), static_root)
    found = finders.find(name)
    if not found:
        raise ForbiddenResource(f"Fichier statique introuvable : {name}")
    # The finders only look inside STATICFILES_DIRS and the apps' static/ folders.
    return Path(found).resolve()


def system_font_path(url):
    """An installed font, asked for by ``local()`` in @font-face; any other local file is refused."""
    path = Path(url2pathname(unquote(urlsplit(url).path)))
    if path.suffix.lower() not in FONT_SUFFIXES:
        raise ForbiddenResource(f"Fichier local refusé : {url[:200]}")
    for font_dir in SYSTEM_FONT_DIRS:
        try:
            return _inside(path, font_dir)
        except ForbiddenResource:
            continue
    raise ForbiddenResource(f"Fichier local refusé : {url[:200]}")


def media_file_path(name):
    """Local path of a file under MEDIA_ROOT; traversal and symbolic links leading out are refused."""
    name = _clean_relative_name(name)
    return _inside(Path(settings.MEDIA_ROOT) / name, settings.MEDIA_ROOT)


class PlatformURLFetcher(URLFetcher):
    """Serves static and media files from disk; refuses every other URL without opening any connection."""

    def fetch(self, url, headers=None):
        path = self.local_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def local_path(url):
        if url.startswith("file:"):
            return system_font_path(url)
        if url.startswith(MEDIA_SCHEME):
            return media_file_path(url.removeprefix(MEDIA_SCHEME).split("?")[0].split("#")[0])
        if urlsplit(settings.STATIC_URL).scheme and url.startswith(settings.STATIC_URL):
            # An absolute STATIC_URL (CDN) is served from the local copy, never downloaded.
            return static_file_path(url.removeprefix(settings.STATIC_URL).split("?")[0].split("#")[0])
        if not url.startswith(BASE_URL):
            raise ForbiddenResource(f"Ressource externe refusée : {url[:200]}")
        path = urlsplit(url).path
        static_prefix, media_prefix = _url_prefix(settings.STATIC_URL), _url_prefix(settings.MEDIA_URL)
        if path.startswith(static_prefix):
            return static_file_path(path.removeprefix(static_prefix))
        if path.startswith(media_prefix):
            return media_file_path(path.removeprefix(media_prefix))
        raise ForbiddenResource(f"Ressource hors des fichiers statiques et médias : {url[:200]}")


def render_pdf(html: str) -> bytes:
    """PDF bytes of ``html``; external resources are left out (and logged by WeasyPrint), never fetched."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=PlatformURLFetcher())
    return document.write_pdf()


def render_html_to_pdf(template_name, context=None, request=None) -> bytes:
    """Render a Django template (autoescaped as usual) then turn it into a PDF."""
    return render_pdf(render_to_string(template_name, context, request=request))
