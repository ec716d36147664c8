import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from jumin.core import audit
from jumin.core.models import AuditEntry, Role, User
from jumin.testing.factories import TEST_PASSWORD

# --------------------------------------------------------------------------- login
# (lockout: test_lockout.py)


def log_in(client, user, password=TEST_PASSWORD):
    return client.post("/login/", {"username": user.username, "password": password})


def test_an_unknown_username_gets_the_same_answer_as_a_wrong_password(client, staff):
    unknown = client.post("/login/", {"username": "nobody", "password": "Whatever-123"})
    wrong = log_in(client, staff[Role.TOWNSHIP_CLERK], "Whatever-123")
    assert unknown.context["error"] == wrong.context["error"] == "用户名或密码不正确。"


# --------------------------------------------------------------------------- sessions


def test_session_settings_end_idle_sessions_after_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_HTTPONLY


def test_an_idle_session_expires_and_an_active_one_does_not(client, staff, monkeypatch):
    log_in(client, staff[Role.TOWNSHIP_CLERK])
    start = timezone.now()

    def at(minutes):
        monkeypatch.setattr(timezone, "now", lambda: start + datetime.timedelta(minutes=minutes))

    at(29)
    assert client.get("/").status_code == 200
    at(58)  # 29 idle minutes since the last request: still in
    assert client.get("/").status_code == 200
    at(89)  # 31 idle minutes
    response = client.get("/regions/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/regions/")


ANONYMOUS_PAGES = [
    "/",
    "/password/",
    "/regions/",
    "/regions/341125000000/",
    "/regions/import/",
    "/staff/",
    "/staff/new/",
    "/staff/1/",
    "/audit/",
    "/audit/export.xlsx",
]


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_every_page_sends_an_anonymous_visitor_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --------------------------------------------------------------------------- pages × roles

# (url, roles that get 200; every other role gets 403)
ROLE_PAGES = [
    ("/", set(Role)),
    ("/password/", set(Role)),
    ("/regions/", set(Role)),
    ("/regions/import/", {Role.COUNTY_ADMIN}),
    ("/staff/", {Role.COUNTY_ADMIN}),
    ("/staff/new/", {Role.COUNTY_ADMIN}),
    ("/audit/", {Role.COUNTY_ADMIN, Role.AUDITOR}),
]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("url", "allowed"), ROLE_PAGES)
def test_every_page_answers_every_role(client, staff, role, url, allowed):
    client.force_login(staff[role])
    assert client.get(url).status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("role", list(Role))
def test_the_menu_and_home_buttons_offer_only_what_the_role_may_open(client, staff, role):
    client.force_login(staff[role])
    response = client.get("/")
    links = [item["url"] for item in response.context["nav_items"]] + [
        task["url"] for task in response.context["tasks"]
    ]
    for url in links:
        if url.startswith("/people/"):
            continue  # people pages are tested by their own app
        assert client.get(url).status_code == 200, url


# --------------------------------------------------------------------------- Django admin


@pytest.mark.parametrize("role", list(Role))
def test_django_admin_is_only_for_administrators(client, staff, role):
    user = staff[role]
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(user)
    response = client.get("/admin/")
    if role == Role.COUNTY_ADMIN:
        assert response.status_code == 200
    else:
        assert response.status_code == 404
        assert client.get("/admin/core/auditentry/").status_code == 404


@pytest.fixture
def superuser(staff, tree):
    return User.objects.create_superuser(
        "root", password=TEST_PASSWORD, role=Role.COUNTY_ADMIN, region=tree.county
    )


def test_the_audit_trail_is_read_only_in_the_django_admin(client, superuser, tree):
    with transaction.atomic():
        entry = audit.record(actor=superuser, action="core.region.update", obj=tree.village_a1)
    client.force_login(superuser)
    assert client.get("/admin/core/auditentry/").status_code == 200
    detail = client.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    changed = client.post(
        f"/admin/core/auditentry/{entry.pk}/change/", {"action": "forged", "actor_name": "x"}
    )
    assert changed.status_code == 403
    assert (
        client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    bulk = client.post(
        "/admin/core/auditentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    entry.refresh_from_db()
    assert entry.action == "core.region.update"
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
