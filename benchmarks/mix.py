"""The URLs the directory benchmark alternates: filter-and-search combinations drawn from the benchmark
database's own values (so every filter is valid), each written once for the directory `/projets/` and once
for the admin changelist with the admin's own query parameters, plus the dashboard's filter mix.

Drawn with a fixed seed: two runs measure the same URLs."""

import random
from dataclasses import dataclass
from urllib.parse import urlencode

import psycopg

# Words of the demo projects' titles and needs, so that searches find something (a few find little).
SEARCH_WORDS = (
    "vélo",
    "solidaire",
    "garage",
    "épicerie",
    "ressourcerie",
    "insertion",
    "café associatif",
    "mobilité",
    "habitat",
    "seniors",
    "numérique",
    "Beaune",
    "Lorient",
    "cuisine partagée",
    "réemploi textile",
    "tiers-lieu",
)
STAGES = ("detection", "invention", "launch", "launched", "abandoned")
SECTORS = (
    "ageing",
    "food",
    "health",
    "circular_economy",
    "housing",
    "culture",
    "mobility",
    "local_services",
    "employment",
    "other",
)
TERRITORY_KINDS = ("commune", "intercommunalite", "departement", "pays", "rural", "qpv", "region")
# The directory's `tri` → the admin's `o` (a list_display column; none for the dates it does not show).
SORTS = {"": "", "maj": "", "titre": "1", "structure": "2", "etape": "5"}
DEEP_SORTS = ("", "maj", "titre", "structure", "etape")


@dataclass(frozen=True)
class Values:
    programmes: dict[str, int]  # slug → id
    structures: dict[str, int]
    regions: list[str]  # codes of régions that have projects
    departements: list[str]
    years: list[int]


def read_values(database_url: str) -> Values:
    with psycopg.connect(database_url) as connection:
        programmes = dict(connection.execute("SELECT slug, id FROM programmes_programme").fetchall())
        structures = dict(
            connection.execute(
                "SELECT s.slug, s.id FROM network_structure s "
                "WHERE EXISTS (SELECT 1 FROM projects_project p WHERE p.structure_id = s.id)"
            ).fetchall()
        )
        located = (
            "FROM projects_project p "
            "JOIN network_territory_departements td ON td.territory_id = p.territory_id "
            "JOIN network_departement d ON d.id = td.departement_id "
        )
        regions = connection.execute(
            f"SELECT DISTINCT r.code {located} JOIN network_region r ON r.id = d.region_id"
        ).fetchall()
        departements = connection.execute(f"SELECT DISTINCT d.code {located}").fetchall()
        years = connection.execute(
            "SELECT DISTINCT extract(year FROM created_at)::int FROM projects_project"
        ).fetchall()
    return Values(
        programmes=programmes,
        structures=structures,
        regions=sorted(code for (code,) in regions),
        departements=sorted(code for (code,) in departements),
        years=sorted(year for (year,) in years),
    )


@dataclass(frozen=True)
class Combination:
    """One filter-and-search combination, as the directory's and the admin's query strings."""

    directory: str
    admin: str


def draw_filters(rng: random.Random, values: Values) -> dict[str, str]:
    """A search with at most one filter in about half of the draws, else one to three filters; a sort in
    about a third. Narrower draws mostly find nothing, and an empty page would flatter both sides.
    Only the filters the admin can also apply: it refuses (HTTP 400) lookups across a relation that are not
    in its list_filter, such as territory__kind or a région; those are in the dashboard's mix."""
    choices = {
        "stage": lambda: rng.choice(STAGES),
        "sector": lambda: rng.choice(SECTORS),
        "programme": lambda: rng.choice(sorted(values.programmes)),
        "structure": lambda: rng.choice(sorted(values.structures)),
        "year": lambda: str(rng.choice(values.years)),
    }
    searching = rng.random() < 0.5
    names = rng.sample(sorted(choices), rng.randint(0, 1) if searching else rng.randint(1, 3))
    if {"programme", "structure"} <= set(names):  # few structures run a given programme: mostly empty
        names.remove("programme")
    filters = {name: choices[name]() for name in sorted(names)}
    if searching:
        filters["q"] = rng.choice(SEARCH_WORDS)
    if rng.random() < 0.35:
        filters["tri"] = rng.choice([key for key in SORTS if key])
    return filters


def admin_query(filters: dict[str, str], values: Values) -> str:
    """The admin changelist's parameters for the same filters (ids instead of slugs, `o` for the sort)."""
    params: dict[str, str | int] = {}
    for name, value in filters.items():
        if name in ("stage", "sector"):
            params[f"{name}__exact"] = value
        elif name == "programme":
            params["programme__id__exact"] = values.programmes[value]
        elif name == "structure":
            params["structure__id__exact"] = values.structures[value]
        elif name == "year":
            params["created_at__year"] = value
        elif name == "q":
            params["q"] = value
        elif name == "tri" and SORTS[value]:
            params["o"] = SORTS[value]
    return urlencode(params)


def combinations(values: Values, count: int, seed: int) -> list[Combination]:
    """`count` distinct combinations, each with at least one filter."""
    rng = random.Random(seed)
    seen: set[str] = set()
    result: list[Combination] = []
    while len(result) < count:
        filters = draw_filters(rng, values)
        directory = urlencode(filters)
        if directory not in seen:
            seen.add(directory)
            result.append(Combination(directory, admin_query(filters, values)))
    return result


def dashboard_queries(values: Values, count: int, seed: int) -> list[str]:
    """`count` distinct sets of one to three of the dashboard's filters (it has no search and no sort)."""
    rng = random.Random(seed + 1)
    choices = {
        "stage": lambda: rng.choice(STAGES),
        "sector": lambda: rng.choice(SECTORS),
        "programme": lambda: rng.choice(sorted(values.programmes)),
        "structure": lambda: rng.choice(sorted(values.structures)),
        "region": lambda: rng.choice(values.regions),
        "departement": lambda: rng.choice(values.departements),
        "territory_kind": lambda: rng.choice(TERRITORY_KINDS),
    }
    queries: list[str] = []
    while len(queries) < count:
        names = rng.sample(sorted(choices), rng.randint(1, 3))
        query = urlencode({name: choices[name]() for name in sorted(names)})
        if query not in queries:
            queries.append(query)
    return queries
