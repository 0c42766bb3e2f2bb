"""Every URL has an access rule (issue 8, point 1).

The URL resolver is walked, namespaces included; every route must have an entry in the access table
(tests/url_access/table.py, and tests/url_access/accounts.py for the account pages) or fall under a rule
(the whole admin). Each entry is then checked for the six roles: anonymous, coordinator of the structure,
coordinator of another structure, committee member, partner and Avise staff. The objects are shared by
the whole module (tests/url_access/world.py) and every test runs in its own savepoint, rolled back."""

from collections.abc import Iterator

import pytest
from django.contrib import admin
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fabrique.roles import coordinated_structure_ids, is_avise_staff, labelled_structure_ids, partner_ids
from network.appellation.access import seated_structure_ids
from tests.url_access.expect import ADMIN_LOGIN, OK, Expect
from tests.url_access.table import ACCESS
from tests.url_access.world import ROLES, World, build_world

# Routes covered by a rule rather than one entry each: the admin's ~280 routes (checked below on its index
# and one changelist per registered model).
RULES = {"admin": "the admin: staff only, everyone else to the admin's login page"}
ADMIN_EXPECTED = {**dict.fromkeys(ROLES, ADMIN_LOGIN), "staff": OK}


def walk(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    """The key of every route under `resolver`: `namespace:name`, or its pattern when it has no name."""
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or str(pattern.pattern)
            yield f"{namespace}:{name}" if namespace else name


def resolver_routes() -> set[str]:
    return set(walk(get_resolver()))


def ruled(key: str) -> bool:
    return key.split(":", 1)[0] in RULES


def route_name(key: str) -> str:
    """`projects:detail@published` checks the route `projects:detail` on another object."""
    return key.split("@", 1)[0]


def routes_without_entry() -> list[str]:
    tabled = {route_name(key) for key in ACCESS}
    return sorted(key for key in resolver_routes() if key not in tabled and not ruled(key))


def entries_without_route() -> list[str]:
    routes = resolver_routes()
    return sorted(key for key in ACCESS if route_name(key) not in routes)


def test_every_route_has_an_access_rule():
    missing = routes_without_entry()
    assert not missing, f"routes without an entry in tests/url_access (add one per role): {missing}"


def test_access_table_names_only_existing_routes():
    stale = entries_without_route()
    assert not stale, f"entries of the access table for routes that no longer exist: {stale}"


@override_settings(ROOT_URLCONF="tests.url_access.unlisted_urls")
def test_a_new_route_without_an_entry_is_named():
    assert routes_without_entry() == ["unlisted_page"]


@override_settings(ROOT_URLCONF="tests.url_access.unlisted_urls")
def test_an_entry_whose_route_is_gone_is_named():
    assert entries_without_route() == ["health"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root) -> Iterator[World]:
    """The shared objects, created once inside a transaction that is rolled back after the module; each
    test's own transaction is a savepoint inside it, so what a request writes is undone after the test."""
    fast_hashers = [f"{MD5PasswordHasher.__module__}.{MD5PasswordHasher.__name__}"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root, PASSWORD_HASHERS=fast_hashers),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


def request(client, world: World, role: str, url: str, method: str, query: dict | None = None):
    # A view that crashes is reported as its 500 next to the expected answer, not as its traceback.
    client.raise_request_exception = False
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    if method == "POST":
        return client.post(url, {})
    return client.get(url, query or {})


def text_of(response) -> str:
    """The page, CSV or JSON as text (the exports are streamed)."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def check(response, expected: Expect, world: World, where: str) -> None:
    problem = expected.problem(response, world)
    assert problem is None, f"{where}: {problem}"


@pytest.mark.django_db
def test_the_roles_are_who_the_table_says(world):
    """The table's rules hold only if the shared users hold these roles, and no other."""
    users = world.users
    assert coordinated_structure_ids(users["coordinator"]) == {world.project.structure_id, world.tag35.pk}
    assert world.transfer.proposed_by == users["coordinator"]
    outsider, member = users["outsider"], users["committee"]
    assert labelled_structure_ids(outsider) == coordinated_structure_ids(outsider)
    assert not seated_structure_ids(outsider, world.reviewed)
    assert labelled_structure_ids(member) == coordinated_structure_ids(member)
    assert seated_structure_ids(member, world.reviewed) == coordinated_structure_ids(member)
    assert partner_ids(users["partner"]) == set(world.programme.fundings.values_list("partner_id", flat=True))
    assert not coordinated_structure_ids(users["partner"])
    assert not (world.project.is_published or world.programme.is_published or world.partnership.is_published)
    assert is_avise_staff(users["staff"])
    assert not any(is_avise_staff(user) for role, user in users.items() if role not in {"anonymous", "staff"})


CASES = [(key, role) for key in sorted(ACCESS) for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "role"), CASES, ids=[f"{key}-{role}" for key, role in CASES])
def test_access(client, world, key, role):
    entry = ACCESS[key]
    url = reverse(route_name(key), kwargs=entry.kwargs(world))
    response = request(client, world, role, url, entry.method, entry.query)
    where = f"{entry.method} {url} as {role}"
    check(response, entry.expected[role], world, where)
    if entry.secrets and response.status_code == 200:
        page = text_of(response)
        problems = [problem for item in entry.secrets if (problem := item.problem(role, page, world))]
        assert not problems, f"{where}: {problems}"


# Django's set_language answers a GET with a redirect and changes nothing: only its POST sets the language.
GET_ANSWERED = {"set_language"}
POST_ONLY = sorted(
    key
    for key, entry in ACCESS.items()
    if entry.method == "POST" and "@" not in key and key not in GET_ANSWERED
)


@pytest.mark.django_db
@pytest.mark.parametrize("key", POST_ONLY)
def test_post_only_routes_refuse_get(client, world, key):
    """A GET never acts: a route that only accepts POST answers 405 to it, even to the staff (asked as
    staff so that no access check hides the method check)."""
    url = reverse(route_name(key), kwargs=ACCESS[key].kwargs(world))
    client.force_login(world.users["staff"])

    assert client.get(url).status_code == 405, url


# --- The admin: one rule, checked on the index and one changelist per registered model -----------------

CHANGELISTS = sorted(
    f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist" for model in admin.site._registry
)
ADMIN_PAGES = ["admin:index", *CHANGELISTS]
ADMIN_CASES = [(name, role) for name in ADMIN_PAGES for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), ADMIN_CASES, ids=[f"{name}-{role}" for name, role in ADMIN_CASES])
def test_admin_access(client, world, name, role):
    url = reverse(name)
    response = request(client, world, role, url, "GET")
    check(response, ADMIN_EXPECTED[role], world, f"GET {url} as {role}")
