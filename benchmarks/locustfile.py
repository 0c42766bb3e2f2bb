"""The audience of the load test (issue 8, point 5): anonymous visitors of the public pages, driven by
`benchmarks/load.py` (`locust --headless`); run alone, it needs the same targets file:

    LOAD_TARGETS=/tmp/targets.json .venv/bin/locust -f benchmarks/locustfile.py --host http://127.0.0.1:8805

The targets file (written by the driver from the benchmark database) lists published project slugs,
published programme slugs and the filter values the directory accepts, so that every URL asked exists and
every filter is valid: a 404 or a refused filter would be the test's fault, not the server's.

The weights follow a real audience: the directory and the project pages most, then the map and the
programmes. Each request is named by page type (`name=`), so the report has one line per type. A response
counts as a failure unless its status is 2xx or 3xx (redirects are not followed: a 3xx is the answer) and,
for a 200, its body is the expected kind of page; locust adds the connection errors and timeouts.
"""

import json
import os
import random
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, between, constant, task

TARGETS = json.loads(Path(os.environ["LOAD_TARGETS"]).read_text(encoding="utf-8"))
# Seconds a visitor waits between two pages: 0 by default (each client asks its next page as soon as the
# previous one arrived: 50 clients keep 50 requests in flight, the server's worst case).
THINK = float(os.environ.get("LOAD_THINK_SECONDS", "0"))

GROUPS = {
    "directory": "annuaire /projets/ (pages, tris)",
    "directory_filtered": "annuaire /projets/ (filtres, recherche)",
    "project": "page projet /projets/<slug>/",
    "programme_list": "liste /programmes/",
    "programme": "page programme /programmes/<slug>/",
    "map": "carte /reseau/carte/",
    "geojson": "GeoJSON /reseau/structures.geojson",
}
# What a 200 of each kind must contain: an error page served with 200 would otherwise pass.
HTML_MARK, GEOJSON_MARK = b"<main", b'"FeatureCollection"'


def directory_filters(rng: random.Random) -> dict[str, str]:
    """One to three of the page's filters, a search in about half of the draws, a sort in a third."""
    choices = {
        "stage": lambda: rng.choice(TARGETS["stages"]),
        "sector": lambda: rng.choice(TARGETS["sectors"]),
        "structure": lambda: rng.choice(TARGETS["structures"]),
        "programme": lambda: rng.choice(TARGETS["programmes"]),
        "departement": lambda: rng.choice(TARGETS["departements"]),
    }
    searching = rng.random() < 0.5
    names = rng.sample(sorted(choices), rng.randint(0, 1) if searching else rng.randint(1, 3))
    filters = {name: choices[name]() for name in sorted(names)}
    if searching:
        filters["q"] = rng.choice(TARGETS["search_words"])
    if rng.random() < 0.35:
        filters["tri"] = rng.choice(TARGETS["sorts"])
    if rng.random() < 0.2:
        filters["page"] = str(rng.randint(2, 5))  # past the end, the directory shows its last page
    return filters


class Visitor(FastHttpUser):
    """An anonymous visitor: no session, no cookie kept between pages that would change the answer."""

    wait_time = between(0, THINK) if THINK > 0 else constant(0)

    def on_start(self) -> None:
        self.rng = random.Random()

    def visit(self, group: str, path: str, mark: bytes = HTML_MARK) -> None:
        with self.client.get(path, name=GROUPS[group], allow_redirects=False, catch_response=True) as answer:
            if answer.status_code == 0:
                return  # a connection error or a timeout: locust already counts it as a failure
            if not 200 <= answer.status_code < 400:
                answer.failure(f"HTTP {answer.status_code}")
            elif answer.status_code == 200 and mark not in (answer.content or b""):
                answer.failure(f"réponse 200 sans {mark.decode()}")

    @task(18)
    def directory(self) -> None:
        rng, params = self.rng, {}
        if rng.random() < 0.6:  # readers turn a few pages; a few jump far (the last page, deep pages)
            last = TARGETS["directory_pages"]
            params["page"] = str(rng.randint(2, 10) if rng.random() < 0.8 else rng.randint(11, max(11, last)))
        if rng.random() < 0.3:
            params["tri"] = rng.choice(TARGETS["sorts"])
        self.visit("directory", f"/projets/?{urlencode(params)}" if params else "/projets/")

    @task(17)
    def directory_filtered(self) -> None:
        self.visit("directory_filtered", f"/projets/?{urlencode(directory_filters(self.rng))}")

    @task(40)
    def project(self) -> None:
        self.visit("project", f"/projets/{self.rng.choice(TARGETS['projects'])}/")

    @task(5)
    def programme_list(self) -> None:
        self.visit("programme_list", "/programmes/")

    @task(10)
    def programme(self) -> None:
        slug = self.rng.choice(TARGETS["published_programmes"])
        page = f"?page={self.rng.randint(2, 4)}" if self.rng.random() < 0.2 else ""
        self.visit("programme", f"/programmes/{slug}/{page}")

    @task(10)
    def map(self) -> None:
        """The map page, then its data, as the browser asks it once the page is loaded."""
        self.visit("map", "/reseau/carte/")
        self.visit("geojson", "/reseau/structures.geojson", GEOJSON_MARK)
