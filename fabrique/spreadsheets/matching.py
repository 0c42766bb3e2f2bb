"""How a cell a person typed finds what it means: column headers, choice labels and related rows are
matched ignoring accents, case, spaces and punctuation, so « code departement », « Code Département » and
« departement_code » name the same column, and « cotes d'armor » finds département 22.

Row numbers in messages are the spreadsheet's own (the header is row 1, so data row n is row n + 1).

Lookups are loaded once per import (`KeyIndex`), never once per row."""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from import_export import widgets

# Apostrophes and quotes a spreadsheet or a keyboard may produce for the same « ' ».
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
NOT_WORD = re.compile(r"[\s_\-–—]+")
NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]")
DECIMAL_ZERO = re.compile(r"\d+\.0+")


class FileRefused(ValueError):
    """The file as a whole cannot be imported (its columns are wrong): no row was read."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


def spreadsheet_row(number: int) -> int:
    """The row a person sees for the `number`-th data row (1-based): the header takes row 1."""
    return number + 1


def cell_text(value: Any) -> str:
    """A cell as text: spreadsheets turn "22" into the number 22.0, which must still read "22"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def normalise(text: Any) -> str:
    """Text compared the way a person reads it: no accents, no case, one space between words, hyphens and
    underscores as spaces (« Côtes-d’Armor » → « cotes d'armor »)."""
    decomposed = unicodedata.normalize("NFKD", cell_text(text).translate(APOSTROPHES))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return NOT_WORD.sub(" ", bare.casefold()).strip()


def header_key(text: Any) -> str:
    """A column header reduced to its letters and digits: « E-mail » = « email », « Code département » =
    « code_departement »."""
    return NOT_ALPHANUMERIC.sub("", normalise(text))


def quoted(values: Iterable[Any]) -> str:
    return ", ".join(f"« {value} »" for value in values)


# --- Choices ----------------------------------------------------------------------------------------


def choice_value(text: Any, choices: Sequence[tuple[str, Any]]) -> str | None:
    """The stored value of a choice given as its code or its French label, or None if neither."""
    wanted = cell_text(text)
    for value, _label in choices:
        if wanted == value:
            return value
    wanted = normalise(wanted)
    for value, label in choices:
        if wanted in (normalise(value), normalise(label)):
            return value
    return None


class ChoiceWidget(widgets.Widget):
    """A choice column: read as its French label or its code; written as its label (`labels=True`) so a
    person reads « Inventer », not « invention », and the export re-imports unchanged."""

    def __init__(self, choices: Sequence[tuple[str, Any]], *, labels: bool = True) -> None:
        super().__init__()
        self.choices = list(choices)
        self.labels = labels
        # Each known cell text read once per language: a file repeats « Inventer » thousands of times,
        # and matching a label normalises (and translates) every choice. Only accepted texts are kept.
        self.read: dict[tuple[str | None, str], str] = {}

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        if cell_text(value) == "":
            return ""
        key = (get_language(), value) if isinstance(value, str) else None
        if key in self.read:
            return self.read[key]
        found = choice_value(value, self.choices)
        if found is None:
            raise ValueError(
                _("« %(value)s » n'est pas une valeur possible. Valeurs acceptées : %(labels)s.")
                % {"value": cell_text(value), "labels": quoted(label for _value, label in self.choices)}
            )
        if key is not None:
            self.read[key] = found
        return found

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        if value in (None, ""):
            return ""
        if self.labels:
            return str(dict(self.choices).get(value, value))
        return str(value)


class FrenchBooleanWidget(widgets.BooleanWidget):
    """Yes / no read as 1 / 0, oui / non, vrai / faux, x / empty (the stock widget reads anything unknown,
    « peut-être » included, as « no »). Written as 1 / 0, as before."""

    TRUE_TEXTS = frozenset({"1", "true", "oui", "o", "vrai", "x", "yes", "y"})
    FALSE_TEXTS = frozenset({"0", "false", "non", "n", "faux", "no"})

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        text = normalise(value)
        if text in ("", "null", "none"):
            return None
        if text in self.TRUE_TEXTS:
            return True
        if text in self.FALSE_TEXTS:
            return False
        raise ValueError(
            _("« %(value)s » n'est ni oui ni non (acceptés : oui, non, 1, 0).") % {"value": cell_text(value)}
        )


# --- Related rows -----------------------------------------------------------------------------------


def name_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The fields a person may use instead of the natural key: the name, or the title."""
    names = {field.name for field in model._meta.get_fields()}
    return tuple(name for name in ("name", "title") if name in names)


class KeyIndex:
    """Every row of a model by natural key (slug, INSEE code) and by name, loaded once per import.

    `only` limits the columns loaded (many-to-many relations need ids only); a foreign key keeps whole
    instances, which model validation may read."""

    def __init__(self, model: type[models.Model], field: str, *, only: bool = False) -> None:
        self.model = model
        self.field = field
        self.names = name_fields(model)
        self.only = only
        self.reset()

    def reset(self) -> None:
        self.by_key: dict[str, models.Model] | None = None
        self.by_name: dict[str, list[models.Model]] = {}

    def load(self) -> None:
        queryset = self.model._default_manager.all()
        if self.only:
            queryset = queryset.only("pk", self.field, *self.names)
        self.by_key, by_name = {}, defaultdict(list)
        for obj in queryset:
            self.by_key[str(getattr(obj, self.field))] = obj
            for name in {normalise(getattr(obj, field)) for field in self.names}:
                by_name[name].append(obj)
        # A key typed in other case (« TAG22 », « 2a ») still finds it.
        for key, obj in list(self.by_key.items()):
            self.by_key.setdefault(key.casefold(), obj)
        self.by_name = dict(by_name)

    def find(self, value: Any) -> models.Model:
        """The row a cell names, or a ValueError naming the value."""
        found = self.lookup(value)
        if found is None:
            raise ValueError(self.unknown_message([cell_text(value)]))
        return found

    def find_all(self, values: Iterable[Any]) -> list[models.Model]:
        """The rows the keys of a many-to-many cell name, or a ValueError naming every unknown one."""
        found, unknown = [], []
        for value in values:
            obj = self.lookup(value)
            if obj is None:
                unknown.append(cell_text(value))
            else:
                found.append(obj)
        if unknown:
            raise ValueError(self.unknown_message(unknown))
        return list(dict.fromkeys(found))

    def lookup(self, value: Any) -> models.Model | None:
        """The row by key, then by name; None if nothing matches, a ValueError if several names do."""
        if self.by_key is None:
            self.load()
        text = cell_text(value)
        if DECIMAL_ZERO.fullmatch(text):
            text = text.split(".")[0]  # A code a spreadsheet wrote as a number: « 22.0 ».
        candidates = [text, text.casefold()]
        if text.isdigit() and len(text) == 1:
            candidates.append(text.zfill(2))  # A spreadsheet read INSEE code « 01 » as the number 1.
        for candidate in candidates:
            if candidate in self.by_key:
                return self.by_key[candidate]
        matches = self.by_name.get(normalise(text), [])
        if len(matches) > 1:
            raise ValueError(
                _("« %(value)s » désigne plusieurs %(models)s (%(keys)s) : indiquez le %(field)s.")
                % {
                    "value": text,
                    "models": self.model._meta.verbose_name_plural,
                    "keys": quoted(sorted(str(getattr(obj, self.field)) for obj in matches)),
                    "field": self.model._meta.get_field(self.field).verbose_name,
                }
            )
        return matches[0] if matches else None

    def unknown_message(self, values: list[str]) -> str:
        names = ", ".join(str(self.model._meta.get_field(name).verbose_name) for name in self.names)
        return _("%(keys)s : introuvable parmi les %(models)s (%(field)s ou %(names)s).") % {
            "keys": quoted(values),
            "models": self.model._meta.verbose_name_plural,
            "field": self.model._meta.get_field(self.field).verbose_name,
            "names": names,
        }


# --- Headers ----------------------------------------------------------------------------------------


class HeaderMatcher:
    """The columns of a resource under every name a person may give them: the French header, the model
    field's name, and for a relation « <field> <key> » (« departement_code », « structure_slug »)."""

    def __init__(self, columns: dict[str, Iterable[str]]) -> None:
        """`columns`: each French header → the other names it is accepted under."""
        self.columns = list(columns)
        self.by_key: dict[str, str] = {}
        for column, aliases in columns.items():
            for name in (column, *aliases):
                key = header_key(name)
                if self.by_key.get(key, column) != column:
                    raise ValueError(f"« {name} » names two columns: {self.by_key[key]}, {column}")
                self.by_key[key] = column

    def match(self, headers: Sequence[Any]) -> list[str]:
        """The French header of every column; a FileRefused naming unknown or repeated columns."""
        matched, unknown, repeated = [], [], []
        for header in headers:
            column = self.by_key.get(header_key(header))
            if column is None:
                unknown.append(cell_text(header))
            elif column in matched:
                repeated.append(column)
            matched.append(column)
        messages = []
        if unknown:
            messages.append(
                _("Colonnes inconnues : %(unknown)s. Colonnes attendues : %(expected)s.")
                % {"unknown": quoted(unknown), "expected": quoted(self.columns)}
            )
        if repeated:
            messages.append(
                _("Colonnes en double : %(columns)s (une seule colonne par donnée).")
                % {"columns": quoted(dict.fromkeys(repeated))}
            )
        if messages:
            raise FileRefused(messages)
        return matched


def missing_columns_message(columns: Sequence[str], rows: Sequence[int] = ()) -> str:
    message = _("Colonnes obligatoires manquantes : %(columns)s.") % {"columns": quoted(columns)}
    if rows:
        message += " " + ngettext(
            "Elles sont nécessaires pour créer la ligne %(rows)s, dont le slug n'existe pas encore.",
            "Elles sont nécessaires pour créer les lignes %(rows)s, dont le slug n'existe pas encore.",
            len(rows),
        ) % {"rows": ", ".join(str(row) for row in rows)}
    return message


def duplicate_rows(keys: Sequence[Any]) -> dict[int, int]:
    """For every data row (1-based) whose key an earlier row already gave: that earlier row's number."""
    first: dict[str, int] = {}
    duplicates = {}
    for number, key in enumerate(keys, start=1):
        text = cell_text(key)
        if not text:
            continue
        if text in first:
            duplicates[number] = first[text]
        else:
            first[text] = number
    return duplicates
