"""An app plugs in through its own folder and INSTALLED_APPS, nothing else.

``jumin.testing.sample_app`` declares a permission, two pages, a menu entry, a home tile, its
audit actions, an object type, an API router and its URLs in its ``registry.py``;
``jumin.testing.sample_settings`` is the real settings with that app appended. A fresh
process started with those settings (apps and URLs are built once per process) migrates a
throw-away SQLite database and shows that core picked every declaration up: the page answers
behind its permission, the menu and the home page offer it, the audit trail takes and labels
its action, the API serves its router and the OpenAPI document lists it."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from jumin.core import registration
    from jumin.core.models import AuditEntry, Region, RegionLevel, Role, User
    from jumin.api import api

    call_command("migrate", verbosity=0)
    county = Region.objects.create(code="341125000000", name="定远县", level=RegionLevel.COUNTY)
    township = Region.objects.create(
        code="341125100000", name="城关镇", level=RegionLevel.TOWNSHIP, parent=county
    )
    clerk = User.objects.create(username="clerk", role=Role.COUNTY_CLERK, region=county)
    clerk_b = User.objects.create(
        username="township", role=Role.TOWNSHIP_CLERK, region=township
    )
    answers = {}
    client = Client()
    client.force_login(clerk)
    answers["clerk_home"] = client.get("/sample/").status_code
    answers["clerk_note"] = client.post("/sample/note/").status_code
    front = client.get("/").content.decode()
    answers["menu_and_tile"] = front.count("示例业务")
    answers["api_ping"] = client.get("/api/sample/ping").json()
    other = Client()
    other.force_login(clerk_b)
    answers["township_home"] = other.get("/sample/").status_code
    answers["township_note"] = other.post("/sample/note/").status_code
    entry = AuditEntry.objects.get(action="sample_app.note.create")
    answers["audit_actor"] = entry.actor.username
    answers["action_label"] = registration.action_label("sample_app.note.create")
    answers["object_type"] = str(registration.object_types()["sample_app.note"])
    document = api.get_openapi_schema(path_prefix="/api/")
    answers["openapi"] = "/api/sample/ping" in document["paths"]
    print("ANSWERS " + json.dumps(answers, ensure_ascii=False))
    """
)


def test_an_app_plugs_in_through_its_folder_and_installed_apps(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jumin.testing.sample_settings",
        "JUMIN_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sample.sqlite3'}",
        "JUMIN_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("ANSWERS ")]
    answers = json.loads(line.removeprefix("ANSWERS "))
    assert answers == {
        "clerk_home": 200,
        "clerk_note": 200,
        "menu_and_tile": answers["menu_and_tile"],
        "api_ping": {"answer": "pong"},
        "township_home": 200,
        "township_note": 403,
        "audit_actor": "clerk",
        "action_label": "记录示例事项",
        "object_type": "示例事项",
        "openapi": True,
    }
    assert answers["menu_and_tile"] >= 2  # the menu entry and the home tile
