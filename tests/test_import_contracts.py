"""The import contracts of pyproject.toml (run by ``lint-imports`` in ``make test``) name every
jumin app, so an app added to INSTALLED_APPS cannot sit outside the one-way layers unchecked."""

import re
import tomllib
from pathlib import Path

from django.apps import apps

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def _contracts() -> list[dict]:
    config = tomllib.loads(PYPROJECT.read_text("utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def _layered_modules() -> set[str]:
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    names = set()
    for layer in layers["layers"]:
        names.update(re.findall(r"[a-z_][a-z_.]*", layer))
    return names


def test_every_installed_jumin_app_has_a_layer():
    installed = {c.name for c in apps.get_app_configs() if c.name.startswith("jumin.")}
    assert installed, "no jumin app installed: the check would prove nothing"
    assert sorted(installed - _layered_modules()) == []


def test_core_is_the_bottom_layer_and_people_above_it():
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    assert layers["layers"][-2:] == ["jumin.people", "jumin.core"]


def test_domain_modules_may_not_import_web_or_api():
    (forbidden,) = [c for c in _contracts() if c["type"] == "forbidden"]
    for kind in ("models", "rules", "services", "queries", "jobs"):
        assert f"jumin.*.{kind}" in forbidden["source_modules"]
    for kind in ("jumin.*.web", "jumin.*.api"):
        assert kind in forbidden["forbidden_modules"]
