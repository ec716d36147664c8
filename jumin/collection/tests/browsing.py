"""A tiny browser for end-to-end page tests: read the forms a page shows and post them back
the way a person's browser would (the values already in the form, plus what the person types).

Only names the page's form really has may be typed, and a choice (select, radio, checkbox)
must be one the page offers: a test that posts a field the page does not show fails.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

TEXT_TYPES = {"text", "hidden", "date", "number", "email", "password", "search", "tel", "month"}


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    values: dict = field(default_factory=dict)  # name → list of values a browser sends
    choices: dict = field(default_factory=dict)  # name → values offered (select/radio/checkbox)
    names: set = field(default_factory=set)  # every field name, files included
    files: set = field(default_factory=set)


class _Parser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: tuple[str, bool] | None = None  # name, multiple
        self._select_options: list[tuple[str, bool]] = []
        self._option: dict | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page_url, a["href"]))
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self._form = Form(
                action=urlsplit(action).path
                + ("?" + urlsplit(action).query if urlsplit(action).query else ""),
                method=(a.get("method") or "get").lower(),
                enctype=a.get("enctype", ""),
            )
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            form.names.add(name)
            if kind in TEXT_TYPES:
                form.values[name] = [a.get("value", "")]
            elif kind in ("checkbox", "radio"):
                form.choices.setdefault(name, []).append(a.get("value", "on"))
                form.values.setdefault(name, [])
                if "checked" in a:
                    form.values[name].append(a.get("value", "on"))
            elif kind == "file":
                form.files.add(name)
        elif tag == "select" and name:
            form.names.add(name)
            self._select = (name, "multiple" in a)
            self._select_options = []
        elif tag == "option" and self._select:
            self._option = {"value": a.get("value"), "selected": "selected" in a}
            self._text = ""
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea = name
            self._text = ""

    def handle_data(self, data):
        self._text += data

    def handle_endtag(self, tag):
        form = self._form
        if tag == "option" and self._option is not None:
            value = self._option["value"]
            self._select_options.append(
                (self._text.strip() if value is None else value, self._option["selected"])
            )
            self._option = None
        elif tag == "select" and self._select and form is not None:
            name, multiple = self._select
            form.choices[name] = [value for value, _ in self._select_options]
            chosen = [value for value, selected in self._select_options if selected]
            if not chosen and not multiple and self._select_options:
                chosen = [self._select_options[0][0]]
            form.values[name] = chosen
            self._select = None
        elif tag == "textarea" and self._textarea and form is not None:
            form.values[self._textarea] = [self._text.lstrip("\n")]
            self._textarea = None
        elif tag == "form":
            self._form = None


def parse(response, page_url: str) -> _Parser:
    parser = _Parser(page_url)
    parser.feed(response.content.decode())
    return parser


def forms_of(response, page_url: str) -> list[Form]:
    return parse(response, page_url).forms


def links_of(response, page_url: str) -> list[str]:
    return [
        urlsplit(link).path + ("?" + urlsplit(link).query if urlsplit(link).query else "")
        for link in parse(response, page_url).links
    ]


def find_form(response, page_url: str, *, action: str | None = None, having=()) -> Form:
    """The page's form posting to ``action`` (path) that has every field in ``having``."""
    found = [
        form
        for form in forms_of(response, page_url)
        if form.method == "post"
        and (action is None or urlsplit(form.action).path == action)
        and all(name in form.names or name in form.files for name in having)
    ]
    assert found, f"{page_url}: no form to {action} with {having}"
    return found[0]


def fill(form: Form, typed: dict | None = None, files: dict | None = None) -> dict:
    """The data a browser would send: the form's own values, then what the person typed."""
    data = {name: list(values) for name, values in form.values.items() if values}
    for name, value in (typed or {}).items():
        assert name in form.names, f"the form to {form.action} has no field {name!r}"
        values = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
        if name in form.choices:
            for one in values:
                assert one in form.choices[name], (
                    f"{form.action}: {name}={one!r} is not offered ({form.choices[name]})"
                )
        data[name] = values
    for name, upload in (files or {}).items():
        assert name in form.files, f"the form to {form.action} has no file field {name!r}"
        data[name] = upload
    return data


def submit(client, page_url: str, *, action=None, typed=None, files=None, follow=False):
    """Open ``page_url``, fill its form to ``action`` and post it; the response."""
    page = client.get(page_url)
    assert page.status_code == 200, (page_url, page.status_code)
    having = tuple((typed or {}).keys()) + tuple((files or {}).keys())
    form = find_form(page, page_url, action=action, having=having)
    return client.post(form.action, fill(form, typed, files), follow=follow)
