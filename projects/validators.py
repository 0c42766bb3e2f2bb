"""What a project document really is, read from its bytes: never from its name or the browser's word."""

import zipfile
from pathlib import PurePath

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

# A name promising one of these kinds must hold it: a text file named "etude.pdf" is refused, since it
# would be offered for download as a PDF that does not open. The name never makes a file acceptable.
EXTENSION_TYPES = {
    ".pdf": {PDF},
    ".png": {PNG},
    ".jpg": {JPEG},
    ".jpeg": {JPEG},
    ".docx": {DOCX},
    ".xlsx": {XLSX},
    ".odt": {ODT},
}

# How much of a file we read to decide whether it is text: enough to catch binary data, not the whole file.
TEXT_SAMPLE_BYTES = 64 * 1024


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


def validate_document_file(uploaded_file: UploadedFile, max_bytes: int) -> str:
    """The detected content type of an accepted file; ValidationError (French, naming the file) if the file
    is empty, too large or not one of the accepted kinds."""
    name = uploaded_file.name or _("sans nom")
    if uploaded_file.size is None or uploaded_file.size == 0:
        raise ValidationError(_("Le fichier « %(name)s » est vide.") % {"name": name}, code="empty")
    if uploaded_file.size > max_bytes:
        raise ValidationError(
            _("Le fichier « %(name)s » dépasse la taille maximale de %(max)s.")
            % {"name": name, "max": filesizeformat(max_bytes)},
            code="too_large",
        )
    content_type = detect_content_type(uploaded_file)
    uploaded_file.seek(0)
    if content_type is None:
        raise ValidationError(
            _(
                "Le contenu du fichier « %(name)s » n'est pas d'un type accepté "
                "(PDF, PNG, JPEG, Word, Excel, OpenDocument, texte ou CSV)."
            )
            % {"name": name},
            code="bad_type",
        )
    promised = EXTENSION_TYPES.get(PurePath(name).suffix.lower())
    if promised is not None and content_type not in promised:
        raise ValidationError(
            _("Le fichier « %(name)s » ne contient pas ce que son nom annonce : son contenu a été refusé.")
            % {"name": name},
            code="bad_type",
        )
    return content_type
