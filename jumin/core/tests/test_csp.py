"""The Content-Security-Policy header (django-csp) and pages that need nothing it refuses:
no inline script, no style attribute, no on... handler, no javascript: link."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from jumin.core.models import Role

TEMPLATE_ROOT = Path(settings.BASE_DIR)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


class InlineFinder(HTMLParser):
    """What a strict policy would refuse in a page: collects one line per finding."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._script_without_src = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:...>")
        if tag == "style":
            self.found.append("<style>")
        executable = names.get("type", "text/javascript") in ("text/javascript", "module", "")
        self._script_without_src = tag == "script" and "src" not in names and executable

    def handle_data(self, data):
        if self._script_without_src and data.strip():
            self.found.append(f"<script>{data.strip()[:40]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_without_src = False


def inline_parts(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_finds_what_the_policy_refuses():
    assert inline_parts('<p style="x">') == ["<p style=...>"]
    assert inline_parts('<form onsubmit="go()">') == ["<form onsubmit=...>"]
    assert inline_parts('<a href="javascript:history.back()">') == ["<a href=javascript:...>"]
    assert inline_parts("<script>alert(1)</script>") == ["<script>alert(1)"]
    assert inline_parts("<style>p{}</style>") == ["<style>"]
    assert inline_parts('<script src="/static/a.js"></script>') == []
    assert inline_parts('<script type="application/json">{"a": 1}</script>') == []


def test_no_template_has_an_inline_script_style_or_handler():
    """Every template of jumin, read as written (blocks of Django tags and all)."""
    templates = sorted(TEMPLATE_ROOT.glob("**/templates/**/*.html"))
    assert len(templates) > 50
    found = {
        str(path.relative_to(TEMPLATE_ROOT)): parts
        for path in templates
        if (parts := inline_parts(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_pages_send_the_policy(client, staff):
    response = client.get(reverse("core:login"))
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    client.force_login(staff[Role.COUNTY_ADMIN])
    assert policy(client.get("/api/docs"))["script-src"] == ["'self'"]
    api = client.get("/api/regions")
    assert api.status_code == 200 and "Content-Security-Policy" in api


PAGES = [
    ("core:home", {}),
    ("core:staff", {}),
    ("core:password_change", {}),
    ("people:search", {}),
    ("people:import", {}),
    ("reports:progress", {}),
    ("collection:reconciliations", {}),
    ("pension:enrolments", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_rendered_pages_hold_nothing_the_policy_refuses(client, staff, name, kwargs):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert inline_parts(response.content.decode()) == []


def test_the_staff_edit_page_asks_before_a_reset_without_an_inline_handler(client, staff):
    client.force_login(staff[Role.COUNTY_ADMIN])
    page = client.get(reverse("core:staff_edit", args=[staff[Role.TOWNSHIP_CLERK].pk]))
    html = page.content.decode()
    assert inline_parts(html) == []
    assert 'data-confirm="确定要重置这个账号的密码吗？原密码将不能再用。"' in html
    script = client.get("/static/core/jumin.js")
    body = b"".join(script.streaming_content) if script.streaming else script.content
    assert b"data-confirm" in body or b"dataset.confirm" in body


def test_the_docs_page_runs_only_scripts_from_files(client, staff):
    client.force_login(staff[Role.LEADER])
    assert inline_parts(client.get("/api/docs").content.decode()) == []


def test_the_error_pages_hold_nothing_the_policy_refuses():
    assert inline_parts(render_to_string("500.html")) == []
    bad_input = render_to_string("400.html", {"message": "年度不正确"})
    assert inline_parts(bad_input) == []
    assert "data-back" in bad_input and "jumin.js" in bad_input
