"""Reading a spreadsheet sent by the staff — XLSX, or CSV in UTF-8 (with or without BOM), UTF-16 or
Windows-1252, separated by « ; », « , » or tabs — into a `tablib.Dataset` whose headers are its first row.

The kind, the encoding and the separator are detected from the content, never from the file name. A file
the import cannot read raises `SpreadsheetError` with a French message naming, when it applies, the row as
the user sees it in the spreadsheet (header = row 1) and the column's header.

Blank rows at the end are dropped, but blank rows inside the table are kept as empty rows so that row `i`
of the dataset (from 0) is always row `i + 2` of the spreadsheet. Cells are strings for CSV ("" when
empty) and the values openpyxl gives for XLSX (None when empty, numbers, dates as datetimes…), whichever of
calamine or openpyxl reads the workbook.
"""

import codecs
import csv
import datetime
import io
import math
import os
import re
import unicodedata
import zipfile
from xml.etree.ElementTree import iterparse

import openpyxl
import python_calamine
import tablib
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl.utils.cell import get_column_letter, range_boundaries
from python_calamine import SheetTypeEnum

DELIMITERS = ";\t,"  # in order of preference when the header is ambiguous: « ; » is French Excel's
DELIMITER_NAMES = {";": "« ; »", ",": "« , »", "\t": gettext_lazy("tabulation")}
SNIFF_LINES = 20
MEGABYTE = 1024 * 1024
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (.xls), password-protected XLSX
SEP_LINE = re.compile(r"sep=(.)(?:\r\n|\r|\n|$)")  # Excel's hint line, hidden when Excel opens the file
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BINARY_SAMPLE = 64 * 1024
QUOTED_VALUE_LENGTH = 40
# In a sheet's XML: a formula (« <f> », « <f t="shared"…/> », « <x:f> »), an error value, merged cells.
CELLS_TO_REFUSE_MARKERS = (b"<f>", b"<f ", b"<f/>", b":f>", b":f ", b't="e"', b"mergeCell")
WHOLE_NUMBER_LIMIT = 2**53  # beyond, a float is not an exact whole number: openpyxl keeps it a float


class SpreadsheetError(Exception):
    """A file the import cannot read. `message` is for the user, in French; `row` is numbered as in the
    spreadsheet (header = row 1) and `column` is the column's header, when they apply."""

    def __init__(self, message, row=None, column=None):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column

    def __str__(self):
        return self.message


def read_table(uploaded_file, *, max_bytes=None) -> tablib.Dataset:
    """The table in `uploaded_file` (a Django upload or any binary file object), at most `max_bytes` long
    (settings.SPREADSHEET_MAX_BYTES by default)."""
    limit = settings.SPREADSHEET_MAX_BYTES if max_bytes is None else max_bytes
    content = _read_content(uploaded_file, limit)
    name = os.path.basename(getattr(uploaded_file, "name", None) or "")
    if not content:
        raise SpreadsheetError(_("Le fichier est vide."))
    if _is_xlsx(content):
        return _read_xlsx(content, name)
    return _read_csv(_decode(content, name))


# --- Size and kind -----------------------------------------------------------------------------------------


def _read_content(uploaded_file, limit: int) -> bytes:
    size = getattr(uploaded_file, "size", None)
    if size is None or size <= limit:
        if hasattr(uploaded_file, "seek"):
            uploaded_file.seek(0)
        content = uploaded_file.read(limit + 1)  # one byte more tells a file over the limit
        if len(content) <= limit:
            return content
        size = max(size or 0, _total_size(uploaded_file), len(content))
    raise SpreadsheetError(
        _("Le fichier fait %(size)s : la limite est de %(limit)s. Découpez-le en plusieurs fichiers.")
        % {"size": _megabytes(size, round_up=True), "limit": _megabytes(limit, round_up=False)}
    )


def _total_size(uploaded_file) -> int:
    try:
        uploaded_file.seek(0, io.SEEK_END)
        return uploaded_file.tell()
    except (AttributeError, OSError):
        return 0


def _megabytes(size: int, *, round_up: bool) -> str:
    # The file's size is rounded up: one just over the limit must not read « 5 Mo : la limite est de 5 Mo ».
    value = size / MEGABYTE
    value = math.ceil(value * 10) / 10 if round_up else round(value, 1)
    decimals = 0 if value == int(value) else 1
    return _("%(value)s Mo") % {"value": number_format(value, decimal_pos=decimals)}


def _is_xlsx(content: bytes) -> bool:
    if not content.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _not_a_spreadsheet(name: str, content: bytes) -> SpreadsheetError:
    if content.startswith(OLE_SIGNATURE):
        hint = _("C'est peut-être un classeur Excel 97-2003 (.xls) ou protégé par un mot de passe.")
    elif content.startswith(b"PK"):
        hint = _("C'est peut-être un classeur OpenDocument (.ods) ou un document Word.")
    else:
        hint = ""
    message = (
        _("Le fichier « %(name)s » n'est pas un tableur CSV ou XLSX.") % {"name": name}
        if name
        else _("Ce fichier n'est pas un tableur CSV ou XLSX.")
    )
    advice = _("Ouvrez-le dans votre tableur et enregistrez-le au format XLSX ou CSV.")
    return SpreadsheetError(" ".join(part for part in (message, hint, advice) if part))


def _decode(content: bytes, name: str) -> str:
    """The text of a CSV file: UTF-8 when it has a BOM or decodes strictly, else Windows-1252 (French
    Excel's « CSV (séparateur : point-virgule) »); UTF-16 with a BOM is Excel's « Texte Unicode »."""
    try:
        if content.startswith(codecs.BOM_UTF8):
            text = content.decode("utf-8-sig")
        elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = content.decode("utf-16")
        elif b"\x00" in content:
            raise _not_a_spreadsheet(name, content)
        else:
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                text = content.decode("cp1252")  # fails on the five bytes cp1252 leaves undefined
    except UnicodeDecodeError:
        raise _not_a_spreadsheet(name, content) from None
    sample = text[:BINARY_SAMPLE]
    # Real tables never hold control characters; a PDF or an image decoded as cp1252 is full of them.
    if len(CONTROL_CHARACTERS.findall(sample)) > len(sample) // 100:
        raise _not_a_spreadsheet(name, content)
    return text


# --- CSV ---------------------------------------------------------------------------------------------------


def _read_csv(text: str) -> tablib.Dataset:
    sep_line = SEP_LINE.match(text)
    if sep_line:
        delimiter, text = sep_line.group(1), text[sep_line.end() :]
    else:
        delimiter = _detect_delimiter(text)
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            rows.append(row)
    except csv.Error:
        # Records, not physical lines: a quoted cell may span lines, and Excel shows it as one row.
        raise SpreadsheetError(
            _(
                "Ligne %(row)s : un guillemet « \" » n'est pas refermé ou est suivi d'autre chose que le "
                'séparateur. Une valeur entre guillemets s\'écrit « "ma valeur" », et un guillemet dans '
                "une valeur se double."
            )
            % {"row": len(rows) + 1},
            row=len(rows) + 1,
        ) from None
    return _to_dataset(rows, empty="", delimiter=delimiter)


def _detect_delimiter(text: str) -> str:
    """The separator of the header line: the sniffer's choice when the header holds it, else the most
    frequent candidate in the header; a header without any candidate is a one-column table."""
    # From the first line that holds anything: blank lines before the header must not make it one column.
    lines = [line for line in text[: 64 * 1024].splitlines() if line.strip()][:SNIFF_LINES]
    header = lines[0] if lines else ""
    in_header = {delimiter: _count_unquoted(header, delimiter) for delimiter in DELIMITERS}
    if not any(in_header.values()):
        return min(DELIMITERS, key=text.count)  # one column: split it on nothing it contains, if possible
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if in_header.get(sniffed):
        return sniffed
    return max(DELIMITERS, key=lambda delimiter: in_header[delimiter])  # ties: first in DELIMITERS


def _count_unquoted(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for character in line:
        if character == '"':
            quoted = not quoted
        elif character == delimiter and not quoted:
            count += 1
    return count


# --- XLSX --------------------------------------------------------------------------------------------------


def _read_xlsx(content: bytes, name: str) -> tablib.Dataset:
    # Most workbooks hold plain values: calamine (Rust) reads them ten times faster than openpyxl. A sheet
    # with a formula, an error value or merged cells is read by openpyxl, which tells where they are.
    if _holds_cells_to_refuse(content):
        return _read_xlsx_cell_by_cell(content, name)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as error:  # calamine raises its own errors, and ValueError on a damaged archive
        raise _damaged_workbook(name) from error
    try:
        worksheets = [sheet for sheet in workbook.sheets_metadata if sheet.typ == SheetTypeEnum.WorkSheet]
        if not worksheets:
            raise SpreadsheetError(_("Le classeur ne contient aucune feuille de calcul."))
        try:
            sheet = workbook.get_sheet_by_name(worksheets[0].name)
            rows = [
                [_openpyxl_value(value) for value in row] for row in sheet.to_python(skip_empty_area=False)
            ]
        except Exception as error:  # a damaged sheet shows only when it is read
            raise _damaged_workbook(name) from error
        return _sheet_dataset(rows, worksheets[0].name, len(worksheets), lambda: None)
    finally:
        workbook.close()


def _holds_cells_to_refuse(content: bytes) -> bool:
    # A byte scan of every sheet, prefixed tags (« <x:f> ») included; a false alarm (such text in an inline
    # string) only sends the file to the slower reader, which decides.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for path in archive.namelist():
            if path.startswith("xl/worksheets/") and path.endswith(".xml"):
                xml = archive.read(path)
                if any(marker in xml for marker in CELLS_TO_REFUSE_MARKERS):
                    return True
    return False


def _openpyxl_value(value):
    """calamine's value as openpyxl gives it, so that both readers make the same table: None for an empty
    cell, whole numbers as int, dates as datetimes."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < WHOLE_NUMBER_LIMIT:
        return int(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return datetime.datetime.combine(value, datetime.time())
    return value


def _read_xlsx_cell_by_cell(content: bytes, name: str) -> tablib.Dataset:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises all sorts on a damaged file: KeyError, ValueError…
        raise _damaged_workbook(name) from error
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_("Le classeur ne contient aucune feuille de calcul."))
        sheet = workbook.worksheets[0]
        try:
            merged = _merged_ranges(content, sheet)
            rows, formulas, errors = _sheet_rows(sheet)
        except Exception as error:  # a damaged sheet shows only when it is read
            raise _damaged_workbook(name) from error

        def refuse_cells():
            _refuse_merged_cells(merged, rows)
            _refuse_cells(formulas, errors, rows)

        return _sheet_dataset(rows, sheet.title, len(workbook.worksheets), refuse_cells)
    finally:
        workbook.close()


def _sheet_dataset(rows: list, title: str, sheet_count: int, refuse_cells) -> tablib.Dataset:
    try:
        refuse_cells()
        dataset = _to_dataset(rows, empty=None)
    except SpreadsheetError as error:
        if sheet_count == 1:
            raise
        # Several sheets: say which one was read, the user may have looked at another.
        note = _("Seule la première feuille du classeur, « %(sheet)s », est lue.") % {"sheet": title}
        raise SpreadsheetError(f"{error.message} {note}", row=error.row, column=error.column) from None
    dataset.title = title
    return dataset


def _damaged_workbook(name: str) -> SpreadsheetError:
    message = (
        _("Le classeur « %(name)s » est illisible ou endommagé.") % {"name": name}
        if name
        else _("Ce classeur est illisible ou endommagé.")
    )
    advice = _("Ouvrez-le dans votre tableur et enregistrez-le à nouveau au format XLSX.")
    return SpreadsheetError(f"{message} {advice}")


def _sheet_rows(sheet):
    """The values of the sheet's rows (row 1 first, missing rows as empty ones), and the coordinates of
    the cells holding a formula or an error value."""
    sheet.reset_dimensions()  # some generators declare a wrong size, and openpyxl would stop there
    rows, formulas, errors = [], [], []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        values = []
        for index, cell in enumerate(cells, start=1):
            if cell.data_type == "f":
                formulas.append((number, index))
            elif cell.data_type == "e":
                errors.append((number, index, cell.value))
            values.append(cell.value)
        rows.append(values)
    return rows, formulas, errors


def _merged_ranges(content: bytes, sheet) -> list[str]:
    # openpyxl's read-only mode skips merged cells: read them from the sheet's XML. `_worksheet_path` is
    # private, but it is the only way to the first sheet's part without parsing the workbook twice.
    ranges = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if not _part_contains(archive, sheet._worksheet_path, b"mergeCell"):
            return ranges  # most sheets: a byte scan is ten times faster than parsing the XML
        with archive.open(sheet._worksheet_path) as source:
            for _event, element in iterparse(source):  # noqa: S314 — the same parser openpyxl itself uses
                if element.tag.rpartition("}")[2] == "mergeCell" and element.get("ref"):
                    ranges.append(element.get("ref"))
                element.clear()
    return ranges


def _part_contains(archive: zipfile.ZipFile, path: str, needle: bytes) -> bool:
    tail = b""
    with archive.open(path) as source:
        while chunk := source.read(MEGABYTE):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


def _refuse_merged_cells(merged: list[str], rows) -> None:
    if not merged:
        return
    first = min(merged, key=lambda ref: range_boundaries(ref)[1::-1])  # top row, then leftmost
    min_col, min_row, _max_col, _max_row = range_boundaries(first)
    others = len(merged) - 1
    if others:
        message = ngettext(
            "Les cellules %(range)s et %(count)s autre plage sont fusionnées",
            "Les cellules %(range)s et %(count)s autres plages sont fusionnées",
            others,
        ) % {"range": first, "count": others}
    else:
        message = _("Les cellules %(range)s sont fusionnées") % {"range": first}
    advice = _("défusionnez-les pour que chaque valeur ait sa propre cellule.")
    raise SpreadsheetError(f"{message} : {advice}", row=min_row, column=_header_of(rows, min_col))


def _refuse_cells(formulas, errors, rows) -> None:
    if formulas:
        row, column = formulas[0]
        cell, others = f"{get_column_letter(column)}{row}", len(formulas) - 1
        if others:
            message = ngettext(
                "La cellule %(cell)s et %(count)s autre contiennent des formules",
                "La cellule %(cell)s et %(count)s autres contiennent des formules",
                others,
            ) % {"cell": cell, "count": others}
        else:
            message = _("La cellule %(cell)s contient une formule") % {"cell": cell}
        advice = _(
            "l'import lit des valeurs. Copiez les cellules puis collez-les à leur place avec « Collage "
            "spécial » › « Valeurs »."
        )
        raise SpreadsheetError(f"{message} : {advice}", row=row, column=_header_of(rows, column))
    if errors:
        row, column, value = errors[0]
        raise SpreadsheetError(
            _("La cellule %(cell)s contient l'erreur %(value)s : corrigez-la ou videz-la.")
            % {"cell": f"{get_column_letter(column)}{row}", "value": value},
            row=row,
            column=_header_of(rows, column),
        )


def _header_of(rows, column: int):
    if rows and column <= len(rows[0]) and not _is_blank(rows[0][column - 1]):
        return _text(rows[0][column - 1])
    return None


# --- The table ---------------------------------------------------------------------------------------------


def _to_dataset(rows: list, *, empty, delimiter=None) -> tablib.Dataset:
    while rows and all(_is_blank(value) for value in rows[-1]):
        rows.pop()
    if not rows:
        raise SpreadsheetError(_("Le fichier est vide."))
    header = [_text(value) for value in rows[0]]
    if not any(header):
        raise SpreadsheetError(
            _("La ligne 1 est vide : elle doit contenir les en-têtes des colonnes (par exemple « Nom »)."),
            row=1,
        )
    named = [index for index, title in enumerate(header) if title]
    _refuse_duplicates(header, named)
    if len(rows) == 1:
        raise SpreadsheetError(
            _(
                "Le fichier ne contient que la ligne d'en-têtes : ajoutez au moins une ligne de données "
                "sous les en-têtes."
            )
        )
    for number, row in enumerate(rows[1:], start=2):
        _refuse_unnamed_values(row, number, header, named[-1], delimiter)
    dataset = tablib.Dataset(headers=[header[index] for index in named])
    for row in rows[1:]:
        dataset.append([row[index] if index < len(row) else empty for index in named])
    return dataset


def _refuse_duplicates(header: list[str], named: list[int]) -> None:
    columns_by_key = {}
    for index in named:
        columns_by_key.setdefault(_header_key(header[index]), []).append(index)
    duplicates = [columns for columns in columns_by_key.values() if len(columns) > 1]
    if not duplicates:
        return
    described = "\u00a0; ".join(
        _("« %(header)s » (colonnes %(columns)s)")
        % {
            "header": header[columns[0]],
            "columns": _french_list([get_column_letter(index + 1) for index in columns]),
        }
        for columns in duplicates
    )
    raise SpreadsheetError(
        _("Plusieurs colonnes portent le même en-tête : %(duplicates)s. Chaque en-tête doit être unique.")
        % {"duplicates": described},
        row=1,
        column=header[duplicates[0][0]],
    )


def _refuse_unnamed_values(row: list, number: int, header: list[str], last_named: int, delimiter) -> None:
    """A value under no header would be lost: too many cells after the last header, or a column whose
    header is blank."""
    for index, value in enumerate(row):
        if _is_blank(value) or (index < len(header) and header[index]):
            continue
        letter = get_column_letter(index + 1)
        quoted = _shorten(_text(value))
        if index < last_named:
            raise SpreadsheetError(
                _(
                    "La colonne %(letter)s n'a pas d'en-tête, mais la ligne %(row)s y a une valeur "
                    "(« %(value)s ») : nommez la colonne en ligne 1 ou supprimez-la."
                )
                % {"letter": letter, "row": number, "value": quoted},
                row=number,
            )
        message = _(
            "La ligne %(row)s a plus de cellules que l'en-tête, qui s'arrête à la colonne %(last)s : "
            "« %(value)s » en colonne %(letter)s."
        ) % {"row": number, "last": get_column_letter(last_named + 1), "value": quoted, "letter": letter}
        if delimiter:
            message += " " + _(
                "Une valeur qui contient le séparateur (%(delimiter)s) doit être entre guillemets."
            ) % {"delimiter": DELIMITER_NAMES.get(delimiter, delimiter)}
        raise SpreadsheetError(message, row=number)


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a header typed 2024 comes back from Excel as 2024.0
    return str(value).strip()


def _header_key(title: str) -> str:
    # Headers are matched to fields without accents or case, so « Étape » and « etape » are the same column.
    decomposed = unicodedata.normalize("NFKD", title.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _shorten(text: str) -> str:
    return text if len(text) <= QUOTED_VALUE_LENGTH else text[: QUOTED_VALUE_LENGTH - 1] + "…"


def _french_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(items)s et %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}
