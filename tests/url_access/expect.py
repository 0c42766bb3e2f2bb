"""The answers the access table expects, and a table entry (`Route`)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from django.http import HttpResponse
from django.urls import reverse

from tests.url_access.world import ROLES, World

Kwargs = Callable[[World], dict]


@dataclass(frozen=True)
class Expect:
    """An HTTP status; for a redirect, the URL name (and its kwargs) the Location path must be, and whether
    it must carry `?next=` (a login redirect brings the user back)."""

    status: int
    to: str | None = None
    to_kwargs: Kwargs | None = None
    with_next: bool = False
    # /sante/ answers 503 when a service is down: both are its honest answer to anyone.
    also: tuple[int, ...] = ()

    def describe(self) -> str:
        target = f" → {self.to}" if self.to else ""
        return f"{'/'.join(map(str, (self.status, *self.also)))}{target}"

    def problem(self, response: HttpResponse, world: World) -> str | None:
        """Why `response` is not this answer, or None when it is."""
        if response.status_code not in (self.status, *self.also):
            location = f" (Location: {response.get('Location')})" if response.has_header("Location") else ""
            return f"expected {self.describe()}, got {response.status_code}{location}"
        if self.to is None or response.status_code != self.status:
            return None
        location = urlsplit(response["Location"])
        wanted = reverse(self.to, kwargs=self.to_kwargs(world) if self.to_kwargs else None)
        if location.path != wanted:
            return f"expected a redirect to {wanted}, got one to {response['Location']}"
        if self.with_next and "next" not in parse_qs(location.query):
            return f"expected the redirect to {wanted} to carry ?next=, got {response['Location']}"
        return None


def redirect(to: str, to_kwargs: Kwargs | None = None) -> Expect:
    return Expect(302, to=to, to_kwargs=to_kwargs)


OK = Expect(200)
INVALID = Expect(400)  # access granted, then the empty POST is refused by the form or the rules
DENIED = Expect(403)
HIDDEN = Expect(404)  # the object's existence is not revealed
LOGIN = Expect(302, to="account_login", with_next=True)
ADMIN_LOGIN = Expect(302, to="admin:login", with_next=True)
HOME = redirect("home")


def no_kwargs(world: World) -> dict:
    return {}


@dataclass(frozen=True)
class Secret:
    """A list page must not name what a role may not read: the name `text` gives (an unpublished project's
    title…) appears in the page for the roles in `shown_to`, and in no one else's."""

    text: Callable[[World], str]
    shown_to: frozenset[str] = frozenset()

    def problem(self, role: str, page: str, world: World) -> str | None:
        secret = self.text(world)
        if role in self.shown_to and secret not in page:
            return f"« {secret} » should be listed for {role}"
        if role not in self.shown_to and secret in page:
            return f"« {secret} » must not be listed for {role}"
        return None


def secret(text: Callable[[World], str], *shown_to: str) -> Secret:
    assert set(shown_to) <= set(ROLES), shown_to
    return Secret(text, frozenset(shown_to))


@dataclass(frozen=True)
class Route:
    """What one route answers to each role; `kwargs` builds the URL from the shared objects; `secrets` are
    checked in the pages answered 200."""

    expected: dict[str, Expect]
    kwargs: Kwargs = no_kwargs
    method: str = "GET"
    query: dict = field(default_factory=dict)
    secrets: tuple[Secret, ...] = ()


def route(
    kwargs: Kwargs = no_kwargs,
    *,
    method: str = "GET",
    query: dict | None = None,
    secrets: tuple[Secret, ...] = (),
    anonymous: Expect,
    coordinator: Expect,
    outsider: Expect,
    committee: Expect,
    partner: Expect,
    staff: Expect,
) -> Route:
    expected = {
        "anonymous": anonymous,
        "coordinator": coordinator,
        "outsider": outsider,
        "committee": committee,
        "partner": partner,
        "staff": staff,
    }
    assert tuple(expected) == ROLES
    return Route(expected=expected, kwargs=kwargs, method=method, query=query or {}, secrets=secrets)


def everyone(answer: Expect) -> dict[str, Expect]:
    return dict.fromkeys(ROLES, answer)


def signed_in(answer: Expect, *, anonymous: Expect = LOGIN) -> dict[str, Expect]:
    """`answer` for every signed-in role, `anonymous` (the login page) otherwise."""
    return {**everyone(answer), "anonymous": anonymous}


def staff_only(staff: Expect = OK) -> dict[str, Expect]:
    """The staff's pages: anonymous visitors go to the login page, other users get 403."""
    return {**signed_in(DENIED), "staff": staff}


def staff_sees(staff: Expect = OK) -> dict[str, Expect]:
    """Something only the staff see (unpublished): 404 for anyone else, signed in or not."""
    return {**everyone(HIDDEN), "staff": staff}
