"""The English catalogue (locale/en): every French source string has an English translation, the
committed catalogue is the one `makemessages` would write today, its compiled .mo matches it, and the
site really switches language.

Refresh the catalogue after changing a translatable string:
    .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=node_modules \
        --ignore=staticfiles --ignore=media --ignore=.run --ignore=tests/data
    (translate the new entries in locale/en/LC_MESSAGES/django.po, drop any `#, fuzzy` flag)
    .venv/bin/python manage.py compilemessages --ignore=.venv
"""

import ast
import gettext
import html
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from network.models import Structure
from projects.models import HolderAssignment, Project
from tests import factories

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"

MAKEMESSAGES = [
    "makemessages",
    "-l",
    "en",
    "--ignore=.venv",
    "--ignore=node_modules",
    "--ignore=staticfiles",
    "--ignore=media",
    "--ignore=.run",
    "--ignore=tests/data",
]
# Left out of the copy makemessages runs in: not source, or generated, or large.
NOT_COPIED_AT_ROOT = {".venv", ".git", ".run", "media", "staticfiles", "node_modules", "test-results"}
NOT_COPIED_ANYWHERE = {"__pycache__", ".pytest_cache", ".ruff_cache"}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-+ #0-9.]*[sdfr]|\{[a-z_]*\}")


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)


def parse_po(text: str) -> list[Entry]:
    """The active entries of a .po file (header and obsolete `#~` entries left out)."""
    entries = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        flags: set[str] = set()
        references: list[str] = []
        keyword = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#:"):
                references += line[2:].split()
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                fields[keyword] += ast.literal_eval(line)
            else:
                keyword, _, value = line.partition(" ")
                fields[keyword] = ast.literal_eval(value)
        if not fields.get("msgid"):
            continue
        if "msgid_plural" in fields:
            msgstr = [fields[key] for key in sorted(k for k in fields if k.startswith("msgstr["))]
        else:
            msgstr = [fields.get("msgstr", "")]
        entries.append(
            Entry(
                msgid=fields["msgid"],
                msgctxt=fields.get("msgctxt"),
                msgid_plural=fields.get("msgid_plural"),
                msgstr=msgstr,
                flags=flags,
                references=references,
            )
        )
    return entries


def catalogue() -> list[Entry]:
    return parse_po(PO_FILE.read_text(encoding="utf-8"))


def key(entry: Entry) -> str:
    """The entry's key in a compiled catalogue: the context, if any, joined to the msgid by EOT."""
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid


def copy_source(source: Path, target: Path) -> None:
    def ignored(directory: str, names: list[str]) -> set[str]:
        skipped = {name for name in names if name in NOT_COPIED_ANYWHERE or name.endswith(".sqlite3")}
        if Path(directory) == source:
            skipped |= NOT_COPIED_AT_ROOT & set(names)
        return skipped

    shutil.copytree(source, target, ignore=ignored, symlinks=True)


def test_english_catalogue_has_a_translation_for_every_entry():
    entries = catalogue()

    assert len(entries) > 300
    untranslated = [entry.msgid for entry in entries if not all(entry.msgstr)]
    assert untranslated == [], f"{len(untranslated)} entries without English: {untranslated[:10]}"
    plurals = [entry for entry in entries if entry.msgid_plural]
    assert plurals and all(len(entry.msgstr) == 2 for entry in plurals)


def test_english_catalogue_has_no_fuzzy_entry():
    text = PO_FILE.read_text(encoding="utf-8")

    fuzzy = [entry.msgid for entry in catalogue() if "fuzzy" in entry.flags]
    assert fuzzy == []
    assert "#, fuzzy" not in text, "the header, too, must not be fuzzy (msgfmt would drop Plural-Forms)"
    assert '"Language: en\\n"' in text
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in text


def test_english_translations_keep_the_placeholders_of_the_french():
    for entry in catalogue():
        # Plural forms pair up: the English singular with the French singular, the plural with the plural
        # (a singular may leave out the count, « une fois par minute »).
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        for index, translated in enumerate(entry.msgstr):
            expected = sorted(PLACEHOLDER.findall(sources[min(index, len(sources) - 1)]))
            assert sorted(PLACEHOLDER.findall(translated)) == expected, entry.msgid


def test_english_catalogue_is_up_to_date_with_the_code(tmp_path):
    """A new or changed French string in the code or a template, not yet in the catalogue, fails here."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext, msgmerge) is missing: install the `gettext` package")
        pytest.skip("GNU gettext (xgettext) is not installed on this machine")
    copy = tmp_path / "repo"
    copy_source(Path(settings.BASE_DIR), copy)
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}

    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    fresh = parse_po((copy / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))
    committed = {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in catalogue()}
    current = {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in fresh}
    assert sorted(current - committed, key=str) == [], "strings missing from the catalogue: run makemessages"
    assert sorted(committed - current, key=str) == [], "strings no longer in the code: run makemessages"


def test_committed_mo_is_compiled_from_the_committed_po():
    with MO_FILE.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]

    expected: dict[object, str] = {}
    for entry in catalogue():
        if entry.msgid_plural:
            expected |= {(key(entry), index): text for index, text in enumerate(entry.msgstr)}
        else:
            expected[key(entry)] = entry.msgstr[0]
    compiled = {msgid: text for msgid, text in compiled.items() if msgid != ""}
    assert compiled == expected, "django.mo is stale: run compilemessages"


@pytest.mark.django_db
def test_home_page_is_french_without_a_language_preference(client):
    page = client.get("/").content.decode()

    assert '<html lang="fr">' in page
    assert "Se connecter" in page
    assert "Chiffres clés" in page
    assert "Log in" not in page


@pytest.mark.django_db
def test_home_page_is_english_for_an_english_browser(client):
    factories.ProjectFactory(stage=Project.Stage.DETECTION)

    page = client.get("/", headers={"accept-language": "en"}).content.decode()

    assert '<html lang="en">' in page
    assert "Log in" in page
    assert "Key figures" in page
    assert "<dt>Detect</dt>" in page
    assert "Se connecter" not in page


@pytest.mark.django_db
def test_home_page_shows_no_french_template_string_in_english(client):
    factories.StructureFactory(phase=Structure.Phase.CANDIDATE)
    factories.ProjectFactory(stage=Project.Stage.DETECTION)
    factories.ProgrammeFactory(end_date=None)
    french = [
        entry.msgid
        for entry in catalogue()
        if not entry.msgid_plural
        and entry.msgid not in entry.msgstr
        and any(reference.startswith("templates/") for reference in entry.references)
    ]

    page = html.unescape(client.get("/", headers={"accept-language": "en"}).content.decode())

    assert "since 2020" in page
    # Whole words only: « Avis » is not a French leftover in « Avise ».
    leftovers = [msgid for msgid in french if re.search(rf"(?<!\w){re.escape(msgid)}(?!\w)", page)]
    assert leftovers == []


@pytest.mark.django_db
def test_choosing_english_in_the_language_switcher_switches_the_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert "Se connecter" in client.get("/").content.decode()


@pytest.mark.django_db
def test_login_page_is_english_for_an_english_browser(client):
    page = client.get("/comptes/login/", headers={"accept-language": "en"}).content.decode()

    assert "<h1>Log in</h1>" in page
    assert "Accounts are created by the Avise team" in page


def test_model_and_choice_labels_translate_to_english():
    with translation.override("en"):
        assert str(Project._meta.verbose_name) == "project"
        assert str(Project._meta.verbose_name_plural) == "projects"
        assert Project.Stage.DETECTION.label == "Detect"
        assert Project.Stage.INVENTION.label == "Invent"
        assert Project.Stage.LAUNCH.label == "Launch"
        assert str(HolderAssignment._meta.verbose_name) == "project holder appointment"
        assert str(Structure.Phase.LABELLED.label) == "Appellation"
        assert str(Structure._meta.get_field("territories").verbose_name) == "territories of action"
    with translation.override("fr"):
        assert str(Project._meta.verbose_name) == "projet"
        assert Project.Stage.DETECTION.label == "Détecter"


def test_constraint_messages_translate_to_english():
    with translation.override("en"):
        texts = {str(constraint.violation_error_message) for constraint in Project._meta.constraints}

    assert "A launched project must give its start date." in texts
    assert "The opportunity study cannot end before it has started." in texts
