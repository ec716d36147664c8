"""Login throttling with django-axes: per user name AND address, one message, tokens unaffected,
unlocking on the staff pages (audited), the user-name password rule."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import override_settings
from django.utils import timezone

from jumin.core.auth import password_problems
from jumin.core.models import AuditEntry, Role, User
from jumin.core.services.tokens import token_create
from jumin.testing.factories import TEST_PASSWORD

ATTACKER = "203.0.113.66"
DESK = "10.20.30.40"
PROXY = "10.0.0.1"
START = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=datetime.UTC)
WRONG = "Wrong-password-1"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.JUMIN_LOGIN_LOCK_FAILURES = 3
    settings.JUMIN_LOGIN_LOCK_MINUTES = 15


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def log_in(client, username, password=TEST_PASSWORD, address=DESK, **extra):
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def hammer(client, username, address=ATTACKER, times=3):
    return [log_in(client, username, WRONG, address) for _attempt in range(times)]


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --------------------------------------------------------------------------- who is locked out


def test_an_attacker_cannot_lock_the_administrator_out_from_another_address(client, staff, clock):
    admin = staff[Role.COUNTY_ADMIN]
    answers = hammer(client, admin.username, times=5)
    assert [answer.status_code for answer in answers] == [200, 200, 429, 429, 429]
    # the right password from the attacker's address is refused too
    assert log_in(client, admin.username, address=ATTACKER).status_code == 429
    assert not logged_in(client)
    # the administrator at their own desk logs in as usual
    response = log_in(client, admin.username, address=DESK)
    assert response.status_code == 302
    assert logged_in(client)


def test_a_locked_out_address_is_refused_until_the_cool_off_ends(client, staff, clock):
    clerk = staff[Role.TOWNSHIP_CLERK]
    hammer(client, clerk.username, address=DESK)
    clock.shift(datetime.timedelta(minutes=14))
    assert log_in(client, clerk.username).status_code == 429
    # a failure during the lockout restarts the 15 minutes (django-axes' default)
    clock.shift(datetime.timedelta(minutes=15, seconds=1))
    assert log_in(client, clerk.username).status_code == 302


def test_the_limit_and_the_minutes_come_from_the_jumin_settings(client, staff, clock, settings):
    settings.JUMIN_LOGIN_LOCK_FAILURES = 2
    settings.JUMIN_LOGIN_LOCK_MINUTES = 1
    clerk = staff[Role.TOWNSHIP_CLERK]
    assert [answer.status_code for answer in hammer(client, clerk.username, times=2)] == [200, 429]
    clock.shift(datetime.timedelta(seconds=61))
    assert log_in(client, clerk.username, address=ATTACKER).status_code == 302


def test_a_good_login_forgets_the_failures_before_it(client, staff, clock):
    clerk = staff[Role.TOWNSHIP_CLERK]
    hammer(client, clerk.username, address=DESK, times=2)
    assert log_in(client, clerk.username).status_code == 302
    client.logout()
    assert [answer.status_code for answer in hammer(client, clerk.username, DESK, 2)] == [200, 200]
    assert log_in(client, clerk.username).status_code == 302


# --------------------------------------------------------------------------- one message


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(client, staff, clock):
    unknown = log_in(client, "nobody", WRONG)
    wrong = log_in(client, staff[Role.TOWNSHIP_CLERK].username, WRONG)
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["error"] == wrong.context["error"] == "用户名或密码不正确。"


def test_an_unknown_user_is_locked_out_with_the_same_message_as_an_account(client, staff, clock):
    unknown = hammer(client, "nobody")[-1]
    known = hammer(client, staff[Role.TOWNSHIP_CLERK].username)[-1]
    assert unknown.status_code == known.status_code == 429
    assert unknown.context["error"] == known.context["error"]
    assert "登录失败次数过多" in known.content.decode()
    assert "15 分钟" in known.context["error"]


# --------------------------------------------------------------------------- forwarded addresses


def test_a_forwarded_header_is_ignored_unless_configured(client, staff, clock):
    """Without JUMIN_CLIENT_IP_HEADER an attacker cannot dodge the lockout (nor frame someone)
    by sending X-Forwarded-For: the connection's own address counts."""
    clerk = staff[Role.TOWNSHIP_CLERK]
    for number in range(3):
        log_in(client, clerk.username, WRONG, ATTACKER, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    response = log_in(client, clerk.username, address=ATTACKER, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@override_settings(JUMIN_CLIENT_IP_HEADER="X-Forwarded-For")
def test_behind_a_proxy_the_address_it_added_counts(client, staff, clock):
    """The proxy appends the client's address to X-Forwarded-For; what the client wrote before
    it is not believed, public or not."""
    clerk = staff[Role.TOWNSHIP_CLERK]
    for number in range(3):
        forged = f"1.1.1.{number}, {DESK}"
        log_in(client, clerk.username, WRONG, PROXY, HTTP_X_FORWARDED_FOR=f"{forged}, {ATTACKER}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    forged = log_in(
        client, clerk.username, address=PROXY, HTTP_X_FORWARDED_FOR=f"{DESK}, {ATTACKER}"
    )
    assert forged.status_code == 429
    assert (
        AuditEntry.objects.filter(action="core.session.login_failed").last().ip_address == ATTACKER
    )
    desk = log_in(client, clerk.username, address=PROXY, HTTP_X_FORWARDED_FOR=DESK)
    assert desk.status_code == 302


@override_settings(JUMIN_CLIENT_IP_HEADER="X-Forwarded-For", JUMIN_PROXY_COUNT=2)
def test_behind_two_proxies_the_address_the_outer_one_added_counts(client, staff, clock):
    clerk = staff[Role.TOWNSHIP_CLERK]
    hammer_through = f"8.8.8.8, {ATTACKER}, 10.0.0.2"
    for _attempt in range(3):
        log_in(client, clerk.username, WRONG, PROXY, HTTP_X_FORWARDED_FOR=hammer_through)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    # a header too short or not an address: the connection's own address
    log_in(client, clerk.username, WRONG, PROXY, HTTP_X_FORWARDED_FOR="garbage")
    assert AccessAttempt.objects.filter(ip_address=PROXY).exists()


# --------------------------------------------------------------------------- tokens, audit


def test_tokens_keep_working_while_the_password_login_is_locked_out(client, staff, clock):
    clerk = staff[Role.TOWNSHIP_CLERK]
    _, key = token_create(acting_user=None, user=clerk)
    hammer(client, clerk.username, address=DESK)
    assert log_in(client, clerk.username).status_code == 429
    response = client.get(
        "/api/regions", headers={"Authorization": f"Bearer {key}"}, REMOTE_ADDR=DESK
    )
    assert response.status_code == 200
    # deactivation still stops the token
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    response = client.get("/api/regions", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401


def test_failed_logins_are_audited_with_the_address_and_the_lockout(client, staff, clock):
    clerk = staff[Role.TOWNSHIP_CLERK]
    hammer(client, clerk.username, times=4)
    hammer(client, "nobody", times=1)
    entries = AuditEntry.objects.filter(action="core.session.login_failed").order_by("id")
    assert [entry.object_id for entry in entries] == [str(clerk.pk)] * 4
    assert [entry.after["locked"] for entry in entries] == [False, False, True, True]
    assert {entry.after["ip_address"] for entry in entries} == {ATTACKER}
    assert {entry.ip_address for entry in entries} == {ATTACKER}


# --------------------------------------------------------------------------- staff pages


def test_the_administrator_sees_the_lockout_and_unlocks_it_audited(client, staff, clock):
    clerk = staff[Role.TOWNSHIP_CLERK]
    admin = staff[Role.COUNTY_ADMIN]
    hammer(client, clerk.username, address=DESK)
    hammer(client, clerk.username, address=ATTACKER, times=1)
    client.force_login(admin)
    listing = client.get("/staff/", {"q": clerk.username})
    assert clerk.username in listing.context["locked"]
    assert "已锁定" in listing.content.decode()
    assert client.get("/").context["summary"]["staff"] == {"active": 7, "locked": 1}
    page = client.get(f"/staff/{clerk.pk}/")
    attempts = {row["ip_address"]: row for row in page.context["attempts"]}
    assert (attempts[DESK]["failures"], attempts[DESK]["locked"]) == (3, True)
    assert (attempts[ATTACKER]["failures"], attempts[ATTACKER]["locked"]) == (1, False)
    assert DESK in page.content.decode() and "解除锁定" in page.content.decode()

    assert client.post(f"/staff/{clerk.pk}/unlock/").status_code == 302
    assert not AccessAttempt.objects.filter(username=clerk.username).exists()
    entry = AuditEntry.objects.get(action="core.staff.unlock", object_id=str(clerk.pk))
    assert entry.actor_id == admin.pk
    assert sorted(item["ip_address"] for item in entry.before["attempts"]) == sorted(
        [DESK, ATTACKER]
    )
    assert entry.after == {"attempts": []}
    client.logout()
    assert log_in(client, clerk.username, address=DESK).status_code == 302


def test_unlocking_is_for_administrators_of_the_account(client, tree, staff, clock):
    clerk = staff[Role.TOWNSHIP_CLERK]
    hammer(client, clerk.username, address=DESK)
    client.force_login(staff[Role.LEADER])
    assert client.post(f"/staff/{clerk.pk}/unlock/").status_code == 403
    assert AccessAttempt.objects.filter(username=clerk.username).exists()
    assert not AuditEntry.objects.filter(action="core.staff.unlock").exists()


def test_a_password_reset_also_lifts_the_lockout(client, staff, clock):
    from jumin.core.services import staff as services

    clerk = staff[Role.TOWNSHIP_CLERK]
    hammer(client, clerk.username, address=DESK)
    password = services.staff_reset_password(acting_user=staff[Role.COUNTY_ADMIN], user=clerk)
    assert not AccessAttempt.objects.filter(username=clerk.username).exists()
    assert log_in(client, clerk.username, password=password).status_code == 302


def test_a_lockout_ends_by_itself_on_the_staff_pages_too(client, staff, clock):
    clerk = staff[Role.TOWNSHIP_CLERK]
    hammer(client, clerk.username, address=DESK)
    clock.shift(datetime.timedelta(minutes=16))
    client.force_login(staff[Role.COUNTY_ADMIN])
    assert client.get(f"/staff/{clerk.pk}/").context["attempts"] == []
    assert client.get("/").context["summary"]["staff"]["locked"] == 0
    assert timezone.now() == START + datetime.timedelta(minutes=16)


# --------------------------------------------------------------------------- password rule


@pytest.mark.parametrize(
    "password", ["zhangsan1zhangsan1", "ZhangSan1zhangsan", "1zhangsan-zhangsan2"]
)
def test_a_password_of_the_user_name_repeated_is_refused(password):
    user = User(username="zhangsan")
    assert "密码不能由用户名重复组成，请换一个与用户名无关的密码。" in password_problems(
        password, user
    )


def test_a_password_with_the_user_name_once_or_of_another_user_passes_this_rule():
    assert password_problems("zhangsan1zhangsan1", User(username="lisi")) == []
    problems = password_problems("Qiuyue7zhangsan", User(username="zhangsan"))
    assert not any("重复" in problem for problem in problems)


def test_the_django_admin_offers_no_unaudited_unlock():
    """Deleting attempts in the admin would unlock without an audit entry: not offered."""
    from django.contrib import admin

    assert not admin.site.is_registered(AccessAttempt)
