"""The interfaces others rely on stay put: every API path and field, every page URL, every CLI
command. The snapshots in ``tests/snapshots/`` were taken before the apps were reshaped;
additions are fine, a removal or a rename fails here.

To record an intended addition: ``JUMIN_UPDATE_SNAPSHOTS=1 pytest tests/test_interfaces.py``
(the test then rewrites the snapshots and still checks nothing was removed)."""

import json
import os
from pathlib import Path

from django.core.management import get_commands
from django.urls import URLPattern, URLResolver, get_resolver

from jumin.api import api
from jumin.cli import ALIASES

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("JUMIN_UPDATE_SNAPSHOTS") == "1"


def _schema_fields(document: dict, schema: dict, seen: frozenset = frozenset()) -> list[str]:
    """Dotted field names of a JSON schema, references followed (``items.name``)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _schema_fields(document, document["components"]["schemas"][name], seen | {name})
    fields = []
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            fields += _schema_fields(document, option, seen)
    if schema.get("type") == "array" and "items" in schema:
        fields += [f"[].{field}" for field in _schema_fields(document, schema["items"], seen)]
    for name, inner in schema.get("properties", {}).items():
        fields.append(name)
        fields += [f"{name}.{field}" for field in _schema_fields(document, inner, seen)]
    return sorted(set(fields))


def api_surface() -> dict[str, list[str]]:
    """``"GET /api/persons/{id_number}"`` → its parameters, request fields and 200 fields."""
    document = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/"), default=str))
    surface = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            items = [f"id:{operation['operationId']}"]
            items += [f"param:{p['in']}:{p['name']}" for p in operation.get("parameters", [])]
            body = operation.get("requestBody", {}).get("content", {})
            for content in body.values():
                items += [f"in:{f}" for f in _schema_fields(document, content.get("schema", {}))]
            for status, answer in operation.get("responses", {}).items():
                if str(status).startswith("2"):
                    for content in answer.get("content", {}).values():
                        items += [
                            f"out{status}:{f}"
                            for f in _schema_fields(document, content.get("schema", {}))
                        ]
            surface[f"{method.upper()} {path}"] = sorted(set(items))
    return surface


def page_routes() -> list[str]:
    """Every page URL pattern (without the API and the Django admin)."""
    routes = []

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if route.startswith(("api/", "admin/")):
                    continue
                walk(pattern, route)
            elif isinstance(pattern, URLPattern):
                routes.append(route)

    walk(get_resolver(), "")
    return sorted(set(routes))


def cli_commands() -> list[str]:
    jumin_commands = [name for name, app in get_commands().items() if app.startswith("jumin")]
    return sorted(set(jumin_commands) | set(ALIASES))


def _check(name: str, now):
    path = SNAPSHOTS / f"{name}.json"
    before = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(before, dict):
        missing = {
            key: sorted(set(items) - set(now.get(key, [])))
            for key, items in before.items()
            if key not in now or set(items) - set(now[key])
        }
    else:
        missing = sorted(set(before) - set(now))
    if UPDATE and not missing:
        path.write_text(json.dumps(now, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    assert not missing, f"{name}: removed or renamed since the snapshot: {missing}"


def test_every_api_path_and_field_of_the_snapshot_is_still_there():
    _check("openapi", api_surface())


def test_operation_ids_are_unique_and_follow_the_path():
    document = api.get_openapi_schema(path_prefix="/api/")
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) > 50
    assert len(ids) == len(set(ids))
    assert document["paths"]["/api/persons/{person_id}"]["get"]["operationId"] == (
        "get_persons_person_id"
    )


def test_every_page_url_of_the_snapshot_is_still_there():
    _check("pages", page_routes())


def test_every_cli_command_of_the_snapshot_is_still_there():
    _check("cli", cli_commands())
