"""Browser tests: Playwright drives Debian's Chromium (never `playwright install`) against `live_server`.

Every test in this folder is marked `browser` (tests/conftest.py): it skips without Chromium, and fails
under CI=true.
"""

import importlib
import os
from typing import Any

import pytest
from django.apps import apps

from tests.conftest import CHROMIUM, require_service

# Playwright's sync API runs an event loop in the test's thread, which Django takes for async code and
# then refuses ORM calls (factories, assertions on the database) without this.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Without the networking flags Chromium keeps trying to reach Google's hosts, which this closed network
# refuses; --no-sandbox because the tests run as root here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # The browser is session-scoped, so it is launched before any per-test check: look for it here.
    require_service("browser")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Our users read French: the site follows the browser's language, and Chromium's is English here.
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture
def geography(transactional_db):
    """The régions and départements: a live_server test flushes the database when it ends, taking the
    reference geography of the data migration with it; reloaded here by that migration's own code."""
    migration = importlib.import_module("network.migrations.0002_load_geography")
    migration.load_geography(apps, None)
