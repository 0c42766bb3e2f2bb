"""Plans synthetic projects in memory, deterministically: the same seed and slots give the same projects.

Pure Python (no database): `random.Random(seed)` drives every choice, never the global generator. Project
number n always gets the slug `demo-<n>` and the same draws whatever the count, so a re-run knows which
ones already exist and a larger count only adds projects."""

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from fabrique.demo import words

PARIS = ZoneInfo("Europe/Paris")
# Creation dates stop early enough for the longest path (four moves of at most 240 days) to end in the past.
LAST_CREATION_DAY = dt.date(2024, 3, 1)
EARLIEST_CREATION_DAY = dt.date(2012, 1, 1)
MAX_STEP_DAYS = 240

PIPELINE = ["detection", "invention", "launch", "launched"]
STAGE_WEIGHTS = {"detection": 20, "invention": 22, "launch": 14, "launched": 32, "abandoned": 12}
ABANDONED_FROM_WEIGHTS = {"detection": 35, "invention": 35, "launch": 15, "launched": 15}
PROGRAMME_SHARE = 0.4
PUBLISHED_SHARE = 0.4


@dataclass(frozen=True)
class Slot:
    """Where a synthetic project may sit: a structure on one of its territories, in a programme or not."""

    structure_id: int
    territory_id: int
    places: tuple[str, ...]
    programme_id: int | None
    sectors: tuple[str, ...]
    first_day: dt.date
    last_day: dt.date
    partner_ids: tuple[int, ...] = ()


@dataclass
class PlannedProject:
    number: int
    slot: Slot
    title: str
    sector: str
    stage: str
    moves: list[tuple[str, str, dt.datetime]]  # (from, to, when), the first from "" to detection
    need: str
    solution: str
    study_started_on: dt.date | None = None
    study_completed_on: dt.date | None = None
    study_conclusion: str = "pending"
    study_summary: str = ""
    started_on: dt.date | None = None
    abandon_reason: str = ""
    holder: tuple[str, str, dt.date] | None = None
    indicators: tuple[tuple[str, Decimal, dt.date], ...] = ()
    published_at: dt.datetime | None = None

    @property
    def slug(self) -> str:
        return demo_slug(self.number)


def demo_slug(number: int) -> str:
    return f"demo-{number}"


def of_place(name: str) -> str:
    """ "de Retiers", "d'Argentan", "du Havre", "de la Souterraine" (French elision and contraction)."""
    for article, replacement in (("Le ", "du "), ("Les ", "des "), ("La ", "de la "), ("L'", "de l'")):
        if name.startswith(article):
            return replacement + name[len(article) :]
    if name[0].upper() in "AEIOUYÉÈÊÂÎÔH":
        return f"d'{name}"
    return f"de {name}"


def at_place(name: str) -> str:
    """ "à Retiers", "au Havre", "aux Sables-d'Olonne", "à la Souterraine"."""
    for article, replacement in (("Le ", "au "), ("Les ", "aux "), ("La ", "à la "), ("L'", "à l'")):
        if name.startswith(article):
            return replacement + name[len(article) :]
    return f"à {name}"


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime(
        day.year, day.month, day.day, rng.randint(8, 17), rng.choice((0, 15, 30, 45)), tzinfo=PARIS
    )


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _path(rng: random.Random, stage: str) -> list[str]:
    if stage != "abandoned":
        return PIPELINE[: PIPELINE.index(stage) + 1]
    reached = _weighted(rng, ABANDONED_FROM_WEIGHTS)
    return [*PIPELINE[: PIPELINE.index(reached) + 1], "abandoned"]


def _plan(rng: random.Random, number: int, slot: Slot) -> PlannedProject:
    sector = rng.choice(slot.sectors)
    commune = rng.choice(slot.places)
    place = of_place(commune)
    activity = rng.choice(words.ACTIVITIES[sector])
    stage = _weighted(rng, STAGE_WEIGHTS)
    path = _path(rng, stage)

    span = (slot.last_day - slot.first_day).days
    day = slot.first_day + dt.timedelta(days=rng.randint(0, max(span, 0)))
    days: dict[str, dt.date] = {}
    moves, previous = [], ""
    for step in path:
        if previous:
            day += dt.timedelta(days=rng.randint(30, MAX_STEP_DAYS))
        days[step] = day
        moves.append((previous, step, _moment(rng, day)))
        previous = step

    project = PlannedProject(
        number=number,
        slot=slot,
        title=f"{activity} {place}",
        sector=sector,
        stage=stage,
        moves=moves,
        need=rng.choice(words.NEEDS[sector]).format(place=place, at=at_place(commune)),
        solution=rng.choice(words.SOLUTIONS[sector]),
    )
    _plan_study(rng, project, days)
    if "launch" in days:
        holder_day = max(days["launch"] - dt.timedelta(days=rng.randint(0, 15)), days["invention"])
        person = f"{rng.choice(words.HOLDER_FIRST_NAMES)} {rng.choice(words.HOLDER_LAST_NAMES)}"
        project.holder = (person, f"{rng.choice(words.HOLDER_KINDS)} {activity} {place}", holder_day)
    if "launched" in days:
        project.started_on = days["launched"]
    if stage == "abandoned":
        project.abandon_reason = rng.choice(words.ABANDON_REASONS[path[-2]])
    _plan_indicators(rng, project, days)
    if stage == "launched" and rng.random() < PUBLISHED_SHARE:
        project.published_at = _moment(rng, days["launched"] + dt.timedelta(days=60))
    return project


def _plan_study(rng: random.Random, project: PlannedProject, days: dict[str, dt.date]) -> None:
    """Invention opens the opportunity study; launching needs it finished and favourable; a project
    abandoned while inventing closes it unfavourable."""
    if "invention" not in days:
        return
    started = days["invention"] + dt.timedelta(days=rng.randint(0, 20))
    project.study_started_on = started
    if "launch" in days:
        project.study_completed_on = max(days["launch"] - dt.timedelta(days=rng.randint(0, 20)), started)
        project.study_conclusion = "favourable"
        project.study_summary = rng.choice(words.STUDY_SUMMARIES)
    elif project.stage == "abandoned":
        project.study_completed_on = max(days["abandoned"] - dt.timedelta(days=rng.randint(0, 20)), started)
        project.study_conclusion = "unfavourable"
        project.study_summary = rng.choice(words.UNFAVOURABLE_SUMMARIES)
    elif rng.random() < 0.4:
        project.study_completed_on = started + dt.timedelta(days=rng.randint(30, 120))
        project.study_conclusion = "favourable"
        project.study_summary = rng.choice(words.STUDY_SUMMARIES)


def _plan_indicators(rng: random.Random, project: PlannedProject, days: dict[str, dt.date]) -> None:
    indicators = []
    if project.study_started_on:
        indicators.append(("creativity_sessions", Decimal(rng.randint(1, 8)), project.study_started_on))
    if "launched" in days:
        measured = days["launched"] + dt.timedelta(days=180)
        indicators.append(("jobs_fte", Decimal(rng.randint(1, 16)) / 2, measured))
        indicators.append(("people_reached", Decimal(rng.randint(20, 800)), measured))
    project.indicators = tuple(indicators)


def plan_projects(count: int, seed: int, slots: Sequence[Slot]) -> Iterator[PlannedProject]:
    """Projects 1..count, lazily; a programme slot for about 40 % of them when there are any."""
    if count and not slots:
        raise ValueError("Aucun emplacement (structure × territoire) pour les projets de démonstration.")
    rng = random.Random(seed)
    in_programme = [slot for slot in slots if slot.programme_id is not None]
    outside = [slot for slot in slots if slot.programme_id is None] or in_programme
    for number in range(1, count + 1):
        pool = in_programme if in_programme and rng.random() < PROGRAMME_SHARE else outside
        yield _plan(rng, number, rng.choice(pool))
