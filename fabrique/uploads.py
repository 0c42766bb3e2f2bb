"""Every uploaded document is checked here: its size, and what it really is, read from its bytes, never from
its name or the type the browser sent. Project documents and study documents, appellation dossiers,
partnership agreements and mission reports all pass through `validate_document_file`, in the site's forms
and services and in the admin (`CheckedFileField`).

Accepted documents are stored by the default storage (MEDIA_ROOT or the bucket, never the static files) and
served only by the views that check who may read them, as attachments with their checked type.
"""

import zipfile
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"

DEFAULT_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024

# A name promising one of these kinds must hold it: a web page named "etude.pdf" is refused, since it would
# be offered for download as a PDF that does not open. The name never makes a file acceptable.
EXTENSION_TYPES = {
    ".pdf": {PDF},
    ".png": {PNG},
    ".jpg": {JPEG},
    ".jpeg": {JPEG},
    ".docx": {DOCX},
    ".xlsx": {XLSX},
    ".odt": {ODT},
}
# Plain text is accepted under these names only: text named "page.html" or "image.svg" is markup a browser
# would run, whatever type we store with it.
TEXT_SUFFIXES = {"", ".txt", ".csv"}
# Text beginning like a web page, an SVG image or an XML document is refused under any name.
MARKUP_STARTS = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe")

# How much of a file we read to decide whether it is text: enough to catch binary data, not the whole file.
TEXT_SAMPLE_BYTES = 64 * 1024


def document_max_bytes() -> int:
    """The largest document accepted (settings.PROJECT_DOCUMENT_MAX_BYTES), whatever its kind."""
    return getattr(settings, "PROJECT_DOCUMENT_MAX_BYTES", DEFAULT_DOCUMENT_MAX_BYTES)


def _zip_office_type(uploaded_file: UploadedFile) -> str | None:
    """A docx, xlsx or odt is a ZIP archive: its inner entries say which one (or none)."""
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return DOCX
            if "xl/workbook.xml" in names and "[Content_Types].xml" in names:
                return XLSX
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def _is_text(uploaded_file: UploadedFile) -> bool:
    uploaded_file.seek(0)
    sample = uploaded_file.read(TEXT_SAMPLE_BYTES)
    if not sample or b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sample may cut a multi-byte character in two at its end: that alone is not binary data.
        if exc.start < len(sample) - 3:
            return False
    return True


def _is_markup(uploaded_file: UploadedFile) -> bool:
    uploaded_file.seek(0)
    start = uploaded_file.read(1024).removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    uploaded_file.seek(0)
    return start.startswith(MARKUP_STARTS)


def detect_content_type(uploaded_file: UploadedFile) -> str | None:
    """The content type of the file from its first bytes (PDF, PNG, JPEG, docx/xlsx/odt, UTF-8 text or
    CSV), or None when it is none of the accepted kinds."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_office_type(uploaded_file)
    return TEXT if _is_text(uploaded_file) else None


def validate_document_file(uploaded_file: UploadedFile, max_bytes: int | None = None) -> str:
    """The detected content type of an accepted file; ValidationError (French, naming the file) if the file
    is empty, larger than `max_bytes` (document_max_bytes() by default) or not one of the accepted kinds."""
    max_bytes = document_max_bytes() if max_bytes is None else max_bytes
    name = uploaded_file.name or _("sans nom")
    if uploaded_file.size is None or uploaded_file.size == 0:
        raise ValidationError(_("Le fichier « %(name)s » est vide.") % {"name": name}, code="empty")
    if uploaded_file.size > max_bytes:
        raise ValidationError(
            _("Le fichier « %(name)s » dépasse la taille maximale de %(max)s : il pèse %(size)s.")
            % {"name": name, "size": filesizeformat(uploaded_file.size), "max": filesizeformat(max_bytes)},
            code="too_large",
        )
    content_type = detect_content_type(uploaded_file)
    uploaded_file.seek(0)
    not_accepted = ValidationError(
        _(
            "Le contenu du fichier « %(name)s » n'est pas d'un type accepté "
            "(PDF, PNG, JPEG, Word, Excel, OpenDocument, texte ou CSV)."
        )
        % {"name": name},
        code="bad_type",
    )
    if content_type is None:
        raise not_accepted
    suffix = PurePath(name).suffix.lower()
    promised = EXTENSION_TYPES.get(suffix)
    if promised is not None and content_type not in promised:
        raise ValidationError(
            _("Le fichier « %(name)s » ne contient pas ce que son nom annonce : son contenu a été refusé.")
            % {"name": name},
            code="bad_type",
        )
    if content_type == TEXT and (suffix not in TEXT_SUFFIXES or _is_markup(uploaded_file)):
        raise not_accepted
    return content_type


class CheckedFileField(forms.FileField):
    """A form's file field that checks a new upload with validate_document_file and records the detected
    type on it (`uploaded.content_type`); a file already stored passes as it is. The admin's file fields."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            value.content_type = validate_document_file(value)
        return value
