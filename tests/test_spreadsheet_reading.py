"""Reading real spreadsheet files (issue 7): the corpus in tests/data/ (made by tests/data/make_corpus.py)
and the rules of `read_table` — kind, encoding and separator detected from the content, and a French
message naming the row and the column for every file the import cannot read. No database involved."""

import datetime
import importlib.util
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fabrique.spreadsheets import reading
from fabrique.spreadsheets.reading import SpreadsheetError, read_table

DATA = Path(__file__).resolve().parent / "data"
NBSP = "\u00a0"
MEGABYTE = 1024 * 1024


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def corpus(name: str, *, as_name: str | None = None) -> SimpleUploadedFile:
    return upload(as_name or name, (DATA / name).read_bytes())


def refusal(uploaded, **kwargs) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        read_table(uploaded, **kwargs)
    return caught.value


def xlsx(*rows, title="Projets", extra_sheets=(), prepare=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for extra in extra_sheets:
        book.create_sheet(extra)
    if prepare:
        prepare(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Files the import cannot read ---------------------------------------------------------------------------


def test_empty_file_is_refused_as_empty():
    error = refusal(corpus("empty.csv"))
    assert error.message == "Le fichier est vide."
    assert (error.row, error.column) == (None, None)


def test_file_of_blank_lines_and_separators_is_refused_as_empty():
    assert refusal(corpus("blank_lines_only.csv")).message == "Le fichier est vide."


def test_header_only_file_is_refused_for_lack_of_data_rows():
    error = refusal(corpus("header_only.csv"))
    assert error.message.startswith(f"Le fichier ne contient que la ligne d'en-têtes{NBSP}:")


def test_blank_first_row_is_refused_as_a_missing_header():
    error = refusal(corpus("no_header.csv"))
    assert error.message.startswith(f"La ligne 1 est vide{NBSP}: elle doit contenir les en-têtes")
    assert error.row == 1


def test_row_with_too_many_cells_is_refused_naming_the_row_the_value_and_the_separator():
    error = refusal(corpus("too_many_cells.csv"))
    assert error.message == (
        f"La ligne 3 a plus de cellules que l'en-tête, qui s'arrête à la colonne C{NBSP}: "
        f"«{NBSP}fils{NBSP}» en colonne D. "
        f"Une valeur qui contient le séparateur («{NBSP};{NBSP}») doit être entre guillemets."
    )
    assert (error.row, error.column) == (3, None)


def test_binary_file_named_csv_is_not_a_spreadsheet():
    error = refusal(corpus("binary_named.csv"))
    assert error.message.startswith(
        f"Le fichier «{NBSP}binary_named.csv{NBSP}» n'est pas un tableur CSV ou XLSX. "
        "C'est peut-être un classeur Excel 97-2003 (.xls)"
    )
    assert error.message.endswith("enregistrez-le au format XLSX ou CSV.")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, id="image"),
        pytest.param(b"%PDF-1.7\n" + bytes(range(1, 32)) * 40 + b"\x81\x8d", id="pdf-without-nul-bytes"),
        pytest.param(
            b"Nom;Ville\r\nA;B\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11", id="control-characters"
        ),
    ],
)
def test_binary_content_is_not_a_spreadsheet_whatever_its_name(content):
    assert "n'est pas un tableur CSV ou XLSX" in refusal(upload("projets.csv", content)).message


def test_zip_that_is_not_a_workbook_is_not_a_spreadsheet():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<office:document-content/>")
    error = refusal(upload("projets.xlsx", buffer.getvalue()))
    assert (
        "n'est pas un tableur CSV ou XLSX. C'est peut-être un classeur OpenDocument (.ods)" in error.message
    )


def test_damaged_workbook_is_refused_as_unreadable():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "not xml")
    error = refusal(upload("projets.xlsx", buffer.getvalue()))
    assert error.message.startswith(f"Le classeur «{NBSP}projets.xlsx{NBSP}» est illisible ou endommagé")


def test_file_over_the_limit_is_refused_with_both_sizes_in_french(settings, tmp_path):
    settings.SPREADSHEET_MAX_BYTES = 5 * MEGABYTE
    path = tmp_path / "gros.csv"
    line = b"Epicerie solidaire de Guingamp;22;tag22\r\n"
    path.write_bytes(b"Nom;Code;Structure\r\n" + line * (int(5.15 * MEGABYTE) // len(line)))
    with path.open("rb") as opened:  # a plain file: no `.size`, its size is measured
        error = refusal(opened)
    assert error.message == (
        f"Le fichier fait 5,2{NBSP}Mo{NBSP}: la limite est de 5{NBSP}Mo. Découpez-le en plusieurs fichiers."
    )


def test_file_one_byte_over_the_limit_does_not_read_as_the_limit():
    content = b"Nom\r\n" + b"x" * (2 * MEGABYTE - 5 + 1)
    error = refusal(upload("gros.csv", content), max_bytes=2 * MEGABYTE)
    assert error.message.startswith(f"Le fichier fait 2,1{NBSP}Mo{NBSP}: la limite est de 2{NBSP}Mo.")


def test_file_at_the_limit_is_read():
    content = b"Nom\r\n" + b"x" * 995
    assert len(read_table(upload("juste.csv", content), max_bytes=1000)) == 1


def test_unclosed_quote_is_refused_naming_the_row():
    error = refusal(corpus("unclosed_quote.csv"))
    assert error.message.startswith(f"Ligne 3{NBSP}: un guillemet «{NBSP}\"{NBSP}» n'est pas refermé")
    assert error.row == 3


def test_duplicate_headers_are_refused_naming_them_even_with_other_accents_or_case():
    error = refusal(corpus("duplicate_headers.csv"))
    assert error.message == (
        f"Plusieurs colonnes portent le même en-tête{NBSP}: «{NBSP}Étape{NBSP}» (colonnes B et D). "
        "Chaque en-tête doit être unique."
    )
    assert (error.row, error.column) == (1, "Étape")


def test_value_in_a_column_without_header_is_refused_naming_the_column_and_row():
    error = refusal(
        upload("projets.csv", "Nom;;Structure\r\nÉpicerie;;tag22\r\nGarage;oups;atis\r\n".encode())
    )
    assert error.message.startswith(
        f"La colonne B n'a pas d'en-tête, mais la ligne 3 y a une valeur («{NBSP}oups{NBSP}"
    )
    assert error.row == 3


# --- XLSX refusals ------------------------------------------------------------------------------------------


def test_xlsx_formula_is_refused_naming_the_cell_and_its_column():
    error = refusal(corpus("formulas.xlsx"))
    assert error.message.startswith(f"La cellule D4 contient une formule{NBSP}: l'import lit des valeurs.")
    assert "Collage spécial" in error.message
    assert (error.row, error.column) == (4, "Budget")


def test_xlsx_with_several_formulas_names_the_first_and_counts_the_others():
    content = xlsx(("Nom", "Total"), ("=A3", "=1+1"), ("x", "=2+2"))
    error = refusal(upload("projets.xlsx", content))
    assert error.message.startswith(f"La cellule A2 et 2 autres contiennent des formules{NBSP}:")
    assert (error.row, error.column) == (2, "Nom")


def test_xlsx_text_that_looks_like_a_formula_is_read_as_text():
    def as_text(sheet):
        sheet["A2"].data_type = "s"  # what Excel stores for a cell typed '=abc

    dataset = read_table(upload("projets.xlsx", xlsx(("Nom",), ("=abc",), prepare=as_text)))
    assert dataset["Nom"] == ["=abc"]


def test_xlsx_merged_cells_are_refused_naming_the_range():
    error = refusal(corpus("merged_cells.xlsx"))
    assert error.message == (
        f"Les cellules A3:B3 sont fusionnées{NBSP}: "
        "défusionnez-les pour que chaque valeur ait sa propre cellule."
    )
    assert (error.row, error.column) == (3, "Nom")


def test_xlsx_error_value_is_refused_naming_the_cell():
    def error_value(sheet):
        sheet["B2"].value, sheet["B2"].data_type = "#N/A", "e"

    error = refusal(upload("projets.xlsx", xlsx(("Nom", "Code"), ("Épicerie", None), prepare=error_value)))
    assert error.message == f"La cellule B2 contient l'erreur #N/A{NBSP}: corrigez-la ou videz-la."
    assert (error.row, error.column) == (2, "Code")


def test_xlsx_errors_say_that_only_the_first_of_several_sheets_is_read():
    content = xlsx(("Nom",), title="Feuil1", extra_sheets=["Projets"])
    error = refusal(upload("projets.xlsx", content))
    assert error.message.endswith(f"Seule la première feuille du classeur, «{NBSP}Feuil1{NBSP}», est lue.")


def test_xlsx_empty_first_sheet_is_refused_as_empty():
    assert refusal(upload("projets.xlsx", xlsx())).message == "Le fichier est vide."


def test_xlsx_row_with_a_value_past_the_last_header_is_refused_naming_the_row_and_cell():
    def shifted(sheet):
        sheet["E2"] = "surplus"

    error = refusal(
        upload("projets.xlsx", xlsx((None, "Nom", "Code"), (None, "Épicerie", "22"), prepare=shifted))
    )
    assert error.message == (
        f"La ligne 2 a plus de cellules que l'en-tête, qui s'arrête à la colonne C{NBSP}: "
        f"«{NBSP}surplus{NBSP}» en colonne E."
    )
    assert error.row == 2


def test_xlsx_several_merged_ranges_name_the_first_and_count_the_others():
    def merge(sheet):
        sheet.merge_cells("C5:D5")
        sheet.merge_cells("A2:A3")

    error = refusal(upload("projets.xlsx", xlsx(("Nom", "Code", "Étape", "Budget"), prepare=merge)))
    assert error.message.startswith(f"Les cellules A2:A3 et 1 autre plage sont fusionnées{NBSP}:")
    assert (error.row, error.column) == (2, "Nom")


# --- Files read ---------------------------------------------------------------------------------------------


def test_windows_1252_file_keeps_its_accents():
    dataset = read_table(corpus("windows1252_accents.csv"))
    assert dataset.headers == ["Nom", "Département", "Budget"]
    assert dataset["Nom"] == ["Cœur de Côtes-d'Armor", "Pôle Finistère"]
    assert dataset["Département"] == ["Côtes-d'Armor", "Finistère"]
    assert dataset["Budget"][0] == "12 000 €"


def test_utf8_bom_is_not_part_of_the_first_header():
    dataset = read_table(corpus("utf8_bom.csv"))
    assert dataset.headers == ["Nom", "Code département"]
    assert dataset["Nom"] == ["Épicerie solidaire", "Ressourcerie"]


def test_tab_separated_text_is_split_on_tabs_whatever_its_name():
    dataset = read_table(corpus("tab_separated.txt"))
    assert dataset.headers == ["Nom", "Code département", "Description"]
    assert dataset.dict[0] == {
        "Nom": "Épicerie solidaire",
        "Code département": "22",
        "Description": "Vente, dépôt; échanges",
    }


def test_quoted_commas_quotes_and_newlines_stay_in_their_cell():
    dataset = read_table(corpus("comma_quoted_newlines.csv"))
    assert dataset.headers == ["Nom", "Description", "Code département"]
    assert dataset[0] == ("Épicerie solidaire", "Vente en vrac,\nproduits locaux", "22")
    assert dataset[1] == ('Garage "solidaire"', "Réparation\nlocation\n", "29")


def test_row_numbers_count_records_not_lines_when_cells_hold_newlines():
    content = b'Nom,Description\n"A","x\ny\nz"\n"B",c,surplus\n'
    assert refusal(upload("projets.csv", content)).row == 3


def test_french_excel_csv_is_read_without_its_empty_trailing_columns_and_rows():
    dataset = read_table(corpus("french_excel.csv"))
    assert dataset.headers == ["Nom", "Code département", "Étape", "Structure"]
    assert dataset.dict == [
        {
            "Nom": "Épicerie solidaire de Guingamp",
            "Code département": "22",
            "Étape": "Détecter",
            "Structure": "tag22",
        },
        {"Nom": 'Garage "Les Côtes"', "Code département": "22", "Étape": "Inventer", "Structure": "tag22"},
        {"Nom": "Ressourcerie", "Code département": "29", "Étape": "", "Structure": "atis"},
    ]


def test_excel_unicode_text_in_utf16_is_read():
    dataset = read_table(corpus("unicode_text.txt"))
    assert dataset.dict == [{"Nom": "Cœur d'Armor", "Code département": "22"}]


def test_xlsx_values_stay_native_and_empty_trailing_rows_and_columns_are_ignored():
    dataset = read_table(corpus("valid.xlsx"))
    assert dataset.headers == ["Nom", "Code département", "Date de démarrage", "Budget"]
    assert dataset[:] == [
        ("Épicerie solidaire", "22", datetime.datetime(2025, 3, 1), 12000.5),
        ("Ressourcerie", "29", None, 8000),
    ]
    assert dataset.title == "Projets"


def test_kind_is_detected_from_the_content_not_the_name():
    workbook_named_csv = read_table(corpus("valid.xlsx", as_name="projets.csv"))
    text_named_xlsx = read_table(corpus("utf8_bom.csv", as_name="projets.xlsx"))
    assert workbook_named_csv.headers[0] == text_named_xlsx.headers[0] == "Nom"


def test_shorter_rows_are_padded_with_empty_cells():
    dataset = read_table(upload("projets.csv", b"Nom;Code;Structure\r\nEpicerie\r\nGarage;22\r\n"))
    assert dataset[:] == [("Epicerie", "", ""), ("Garage", "22", "")]


def test_blank_row_inside_the_table_is_kept_so_that_row_numbers_match():
    dataset = read_table(upload("projets.csv", b"Nom;Code\r\nA;1\r\n\r\nB;2\r\n\r\n"))
    assert dataset[:] == [("A", "1"), ("", ""), ("B", "2")]  # dataset row i is spreadsheet row i + 2


def test_headers_are_stripped():
    dataset = read_table(upload("projets.csv", "  Nom ;\u00a0Code\u00a0\r\nA;1\r\n".encode()))
    assert dataset.headers == ["Nom", "Code"]


def test_empty_column_without_header_is_dropped():
    dataset = read_table(upload("projets.csv", b"Nom;;Code\r\nA;;1\r\n"))
    assert dataset.dict == [{"Nom": "A", "Code": "1"}]


def test_separator_is_taken_from_the_header_when_values_are_full_of_commas():
    content = b"Nom;Description\r\nA;un, deux, trois\r\nB;quatre, cinq, six\r\nC;sept, huit, neuf\r\n"
    assert read_table(upload("projets.csv", content))["Description"][0] == "un, deux, trois"


def test_one_column_file_keeps_commas_in_its_values():
    dataset = read_table(upload("noms.csv", "Nom\r\nDupont, Jean\r\nMartin, Léa\r\n".encode()))
    assert dataset.dict == [{"Nom": "Dupont, Jean"}, {"Nom": "Martin, Léa"}]


def test_excel_sep_line_gives_the_separator_and_is_not_the_header():
    dataset = read_table(upload("projets.csv", b"sep=,\r\nNom,Code\r\nA;B,1\r\n"))
    assert dataset.dict == [{"Nom": "A;B", "Code": "1"}]


def test_file_is_read_from_its_start_even_if_already_read():
    uploaded = corpus("utf8_bom.csv")
    uploaded.read()
    assert len(read_table(uploaded)) == 2


def test_committed_corpus_is_what_make_corpus_makes():
    spec = importlib.util.spec_from_file_location("make_corpus", DATA / "make_corpus.py")
    make_corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_corpus)
    for name, content in make_corpus.text_files().items():
        assert (DATA / name).read_bytes() == content, name
    for name in make_corpus.xlsx_files():
        assert (DATA / name).is_file(), name


# --- The two XLSX readers -----------------------------------------------------------------------------------


def test_plain_workbook_is_not_read_by_openpyxl(monkeypatch):
    # calamine reads workbooks without formulas, errors or merged cells: ten times faster (benchmarks/).
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl read a plain workbook")

    monkeypatch.setattr(reading.openpyxl, "load_workbook", refuse)
    dataset = read_table(upload("projets.xlsx", xlsx(("Nom", "Code"), ("Épicerie", 22))))
    assert dataset.dict == [{"Nom": "Épicerie", "Code": 22}]


def test_both_xlsx_readers_make_the_same_table_of_every_kind_of_value():
    content = xlsx(
        ("Nom", "Entier", "Décimal", "Date", "Date et heure", "Heure", "Oui", "Grand"),
        (
            "Épicerie",
            22,
            12000.5,
            datetime.date(2025, 3, 1),
            datetime.datetime(2025, 3, 1, 9, 30),
            datetime.time(18, 45),
            True,
            1e20,
        ),
        (None, None, None, None, None, None, None, None),
        ("  Garage  ", -3, 0.1, None, None, None, False, 2**60),
        (None,),
    )
    plain = read_table(upload("projets.xlsx", content))
    cell_by_cell = reading._read_xlsx_cell_by_cell(content, "projets.xlsx")
    assert plain[:] == cell_by_cell[:]
    assert [type(value) for value in plain[0]] == [type(value) for value in cell_by_cell[0]]
    assert plain[0][3] == datetime.datetime(2025, 3, 1)
    assert (plain.headers, plain.title) == (cell_by_cell.headers, cell_by_cell.title)
