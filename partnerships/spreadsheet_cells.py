"""The cells of the mission and transfer spreadsheets that hold the rows of a child model, one a line
(objectives, visits, participants) or separated by `|` (beneficiaries). A member structure is written
« s:slug », an organisation by its slug; names are read too. Each parser raises ValueError with a French
message naming the line; the resource puts the row and the column in front."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from fabrique.spreadsheets.matching import KeyIndex
from network.resources import SEPARATOR
from partnerships.models import Objective

STRUCTURE_PREFIX = "s:"

Place = tuple[int | None, int | None]  # (structure id, organisation id)


def outcome_from_text(text: str) -> str:
    wanted = text.strip().casefold()
    for value, label in Objective.Outcome.choices:
        if wanted in (value, str(label).casefold()):
            return value
    raise ValueError(
        _("Résultat « %(text)s » inconnu : %(choices)s.")
        % {"text": text.strip(), "choices": ", ".join(str(label) for label in Objective.Outcome.labels)}
    )


def _lines(cell: Any):
    """(number, parts) of every non-empty line of the cell, split on `|` into `size` parts at most."""
    for number, line in enumerate(str(cell or "").splitlines(), start=1):
        if line.strip():
            yield number, [part.strip() for part in line.split(SEPARATOR)]


def _on_line(number: int, parse):
    try:
        return parse()
    except ValueError as error:
        raise ValueError(_("Ligne %(number)s : %(error)s") % {"number": number, "error": error}) from None


def parse_objectives(cell: Any) -> list[tuple[str, str, str]]:
    """(text, outcome, note) of every line « objectif | résultat | note »."""
    objectives = []
    for number, parts in _lines(cell):
        text, outcome, note = [*parts[:2], SEPARATOR.join(parts[2:]), "", ""][:3]

        def parse(text=text, outcome=outcome, note=note):
            if not text:
                raise ValueError(_("l'objectif est vide."))
            return (text, outcome_from_text(outcome) if outcome else Objective.Outcome.NOT_YET, note)

        objectives.append(_on_line(number, parse))
    return objectives


def place_of(key: str, structures: KeyIndex, organisations: KeyIndex) -> Place | None:
    """The structure (« s:slug » or « s:name ») or the organisation (slug or name) a key names."""
    if key.startswith(STRUCTURE_PREFIX):
        structure = structures.lookup(key.removeprefix(STRUCTURE_PREFIX))
        return None if structure is None else (structure.pk, None)
    organisation = organisations.lookup(key)
    return None if organisation is None else (None, organisation.pk)


def _unknown(keys: list[str]) -> ValueError:
    return ValueError(
        _("%(keys)s : introuvable parmi les structures (s:slug, s:nom) et les organisations (slug, nom).")
        % {"keys": ", ".join(f"« {key} »" for key in keys)}
    )


def parse_beneficiaries(cell: Any, structures: KeyIndex, organisations: KeyIndex) -> list[Place]:
    """(structure id, organisation id) of every key (or name) of the cell, in a stable order."""
    beneficiaries, missing = set(), []
    for key in (key.strip() for key in str(cell or "").split(SEPARATOR)):
        if not key:
            continue
        found = place_of(key, structures, organisations)
        if found is None:
            missing.append(key)
        else:
            beneficiaries.add(found)
    if missing:
        raise _unknown(missing)
    return sorted(beneficiaries, key=repr)


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    for reader in (dt.date.fromisoformat, lambda value: dt.datetime.strptime(value, "%d/%m/%Y").date()):
        try:
            return reader(text)
        except ValueError:
            continue
    raise ValueError(_("« %(value)s » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA).") % {"value": text})


def visit_order(visit: tuple) -> tuple:
    """Visits by date (undated last, on every database), then city: the order compared on re-import."""
    _structure, _organisation, city, day, _note = visit
    return (day is None, day or dt.date.min, city, repr(visit))


def parse_visits(
    cell: Any, structures: KeyIndex, organisations: KeyIndex
) -> list[tuple[int | None, int | None, str, dt.date | None, str]]:
    """(structure id, organisation id, city, date, note) of every line « lieu | ville | date | note »,
    the place being a structure (« s:slug ») or an organisation; sorted as the mission page lists them."""
    visits = []
    for number, parts in _lines(cell):
        key, city, day, note = [*parts[:3], SEPARATOR.join(parts[3:]), "", "", ""][:4]

        def parse(key=key, city=city, day=day, note=note):
            place = place_of(key, structures, organisations) if key else None
            if place is None:
                raise _unknown([key]) if key else ValueError(_("le lieu visité est vide."))
            if not city:
                raise ValueError(_("la ville de la visite est vide."))
            return (*place, city, _date(day), note)

        visits.append(_on_line(number, parse))
    return sorted(visits, key=visit_order)


def parse_participants(
    cell: Any, structures: KeyIndex, organisations: KeyIndex
) -> list[tuple[str, str, int | None, int | None]]:
    """(name, role, structure id, organisation id) of every line « nom | fonction | structure ou
    organisation », the last two optional; sorted by name."""
    participants = []
    for number, parts in _lines(cell):
        name, role, key = [*parts[:2], SEPARATOR.join(parts[2:]), "", ""][:3]

        def parse(name=name, role=role, key=key):
            if not name:
                raise ValueError(_("le nom du participant est vide."))
            place = place_of(key, structures, organisations) if key else (None, None)
            if place is None:
                raise _unknown([key])
            return (name, role, *place)

        participants.append(_on_line(number, parse))
    return sorted(participants, key=repr)
