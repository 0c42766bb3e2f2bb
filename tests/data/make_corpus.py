"""Writes the reader-level corpus of issue 7 next to this script: real-world spreadsheets, good and bad,
read by tests/test_spreadsheet_reading.py. Run it again after changing a file's recipe:

    .venv/bin/python tests/data/make_corpus.py

Each file is made the way the tool it imitates makes it (French Excel's « CSV (séparateur : point-virgule) »
is Windows-1252 with « ; » and CRLF, « CSV UTF-8 » has a BOM…). The 5 MB file is not committed: its test
makes it in a temporary directory.
"""

import codecs
import datetime
import io
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
FIXED_TIME = datetime.datetime(2026, 1, 5, 9, 0)  # so that the XLSX properties do not change at each run


def crlf(*lines: str) -> str:
    return "".join(line + "\r\n" for line in lines)


def text_files() -> dict[str, bytes]:
    return {
        "empty.csv": b"",
        "blank_lines_only.csv": b"\r\n\r\n;;\r\n",
        "header_only.csv": crlf("Nom;Code département;Structure").encode("cp1252"),
        "no_header.csv": crlf(";;", "TAg 22;22;tag22").encode("utf-8"),
        # Row 3 has a « ; » in a value that nobody quoted.
        "too_many_cells.csv": crlf(
            "Nom;Code département;Structure",
            "Épicerie solidaire;22;tag22",
            "Garage solidaire;29;atis; fils",
            "Tiers-lieu;35;tag22",
        ).encode("utf-8"),
        # An Excel 97-2003 workbook renamed .csv: its OLE signature, then the binary sectors.
        "binary_named.csv": bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504) + bytes(range(256)) * 2,
        # Windows-1252 proper, not Latin-1: « œ » and « € » are bytes 0x9c and 0x80.
        "windows1252_accents.csv": crlf(
            "Nom;Département;Budget",
            "Cœur de Côtes-d'Armor;Côtes-d'Armor;12 000 €",
            "Pôle Finistère;Finistère;8 500 €",
        ).encode("cp1252"),
        "utf8_bom.csv": codecs.BOM_UTF8
        + crlf("Nom;Code département", "Épicerie solidaire;22", "Ressourcerie;29").encode("utf-8"),
        # Excel's « Texte (séparateur : tabulation) » is a .txt file in Windows-1252.
        "tab_separated.txt": crlf(
            "Nom\tCode département\tDescription",
            "Épicerie solidaire\t22\tVente, dépôt; échanges",
            "Ressourcerie\t29\t",
        ).encode("cp1252"),
        # LibreOffice's default: « , », UTF-8, quotes around cells holding a comma, a quote or a newline.
        "comma_quoted_newlines.csv": (
            "Nom,Description,Code département\n"
            'Épicerie solidaire,"Vente en vrac,\nproduits locaux",22\n'
            '"Garage ""solidaire""","Réparation\nlocation\n",29\n'
        ).encode(),
        # French Excel: Windows-1252, « ; », CRLF, empty columns and rows left at the end.
        "french_excel.csv": crlf(
            "Nom;Code département;Étape;Structure;;",
            "Épicerie solidaire de Guingamp;22;Détecter;tag22;;",
            'Garage "Les Côtes";22;Inventer;tag22;;',
            "Ressourcerie;29;;atis;;",
            ";;;;;",
            ";;;;;",
        ).encode("cp1252"),
        "duplicate_headers.csv": crlf("Nom;Étape;Structure;etape", "Épicerie;Détecter;tag22;Inventer").encode(
            "utf-8"
        ),
        # Row 3 opens a quoted cell that never closes: everything after it would be swallowed.
        "unclosed_quote.csv": crlf(
            "Nom;Code département", "Épicerie;22", '"Garage;29', "Ressourcerie;29"
        ).encode("utf-8"),
        # Import-level files (projects, structures): readable, but refused by the import's rules.
        "projects_unknown_columns.csv": crlf(
            "Titre;Slug;Structure;Territoire;Secteur;Couleur préférée",
            "Épicerie solidaire;epicerie-corpus;tag22;pays-de-guingamp;Alimentation;vert",
        ).encode("cp1252"),
        "projects_missing_slug.csv": crlf(
            "Titre;Structure;Territoire;Secteur",
            "Épicerie solidaire;tag22;pays-de-guingamp;Alimentation",
        ).encode("cp1252"),
        "projects_unknown_stage.csv": crlf(
            "Titre;Slug;Structure;Territoire;Secteur;Étape",
            "Épicerie solidaire;epicerie-corpus;tag22;pays-de-guingamp;Alimentation;Rêver",
        ).encode("cp1252"),
        "projects_duplicate_rows.csv": crlf(
            "Titre;Slug;Structure;Territoire;Secteur",
            "Épicerie solidaire;epicerie-corpus;tag22;pays-de-guingamp;Alimentation",
            "Épicerie solidaire;epicerie-corpus;tag22;pays-de-guingamp;Alimentation",
        ).encode("cp1252"),
        "structures_invalid_insee.csv": crlf(
            "Nom;Slug;Forme juridique;Phase;Phase depuis le;Entrée dans le réseau;Code département",
            "Inter-Made;inter-made;association;candidate;2024-09-01;2024-09-01;99",
        ).encode("cp1252"),
        # Excel's « Texte Unicode »: UTF-16 little-endian with a BOM, tab-separated.
        "unicode_text.txt": codecs.BOM_UTF16_LE
        + crlf("Nom\tCode département", "Cœur d'Armor\t22").encode("utf-16-le"),
    }


def workbook(*rows, title="Projets") -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.properties.created = book.properties.modified = FIXED_TIME
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    return book


def xlsx_files() -> dict[str, openpyxl.Workbook]:
    header = ("Nom", "Code département", "Date de démarrage", "Budget")
    formulas = workbook(
        header,
        ("Épicerie solidaire", "22", datetime.date(2025, 3, 1), 12000),
        ("Ressourcerie", "29", datetime.date(2025, 4, 1), 8000),
        ("Total", None, None, "=SUM(D2:D3)"),
    )
    merged = workbook(
        header,
        ("Épicerie solidaire", "22", datetime.date(2025, 3, 1), 12000),
        ("Ressourcerie", None, datetime.date(2025, 4, 1), 8000),
    )
    merged.active.merge_cells("A3:B3")
    valid = workbook(
        (" Nom ", "Code département", "Date de démarrage", "Budget", None, None),
        ("Épicerie solidaire", "22", datetime.date(2025, 3, 1), 12000.5),
        ("Ressourcerie", "29", None, 8000),
    )
    valid.active["F10"].number_format = "0.00"  # formatted, empty: Excel's trailing rows and columns
    valid.active["A12"] = "  "
    return {"formulas.xlsx": formulas, "merged_cells.xlsx": merged, "valid.xlsx": valid}


def main() -> None:
    for name, content in text_files().items():
        (HERE / name).write_bytes(content)
    for name, book in xlsx_files().items():
        buffer = io.BytesIO()
        book.save(buffer)
        (HERE / name).write_bytes(buffer.getvalue())


if __name__ == "__main__":
    main()
