"""What a browser sends and gets back, for the fault tests: responses, and the fields of a form."""

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


class _FormFields(HTMLParser):
    """The fields a browser would send for the form holding `marker` (a field name), as (name, value)."""

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.forms: list[list[tuple[str, str]]] = []
        self._textarea: list[str] | None = None
        self._select: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append([])
        elif tag == "option" and self._select is not None:
            if self._select["first"] is None:
                self._select["first"] = a.get("value", "")
            if "selected" in a:
                self._select["chosen"].append(a.get("value", ""))
        elif not self.forms or "name" not in a or "disabled" in a:
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind not in {"submit", "button", "file", "image", "reset"}:
                self.forms[-1].append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            self._textarea = [a["name"]]
        elif tag == "select":
            self._select = {"name": a["name"], "first": None, "chosen": []}

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            name, *text = self._textarea
            self.forms[-1].append((name, "".join(text).removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            values = self._select["chosen"] or [self._select["first"] or ""]
            self.forms[-1].extend((self._select["name"], value) for value in values)
            self._select = None

    def fields(self) -> list[tuple[str, str]]:
        for form in self.forms:
            if any(name == self.marker for name, _value in form):
                return form
        raise AssertionError(f"no form with a field {self.marker!r} on the page")


def form_fields(html: str, marker: str) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would send for the form of `html` that has a field `marker`."""
    parser = _FormFields(marker)
    parser.feed(html)
    return parser.fields()
