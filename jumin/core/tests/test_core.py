import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from jumin.core import audit
from jumin.core.access import mask_id_number, mask_phone, scope
from jumin.core.models import AuditEntry, Region, Role
from jumin.testing.factories import TEST_PASSWORD, PersonFactory


def test_scope_limits_regions_by_code_prefix(tree, staff):
    clerk = staff[Role.TOWNSHIP_CLERK]
    codes = set(scope(Region.objects.all(), clerk).values_list("code", flat=True))
    assert codes == {tree.township_a.code, tree.village_a1.code, tree.village_a2.code}
    assistant = staff[Role.VILLAGE_ASSISTANT]
    assert list(scope(Region.objects.all(), assistant).values_list("code", flat=True)) == [
        tree.village_a1.code
    ]


def test_user_without_region_sees_nothing(tree, django_user_model):
    user = django_user_model.objects.create_user(
        "nobody", password=TEST_PASSWORD, role=Role.COUNTY_CLERK
    )
    PersonFactory(village=tree.village_a1)
    from jumin.people.models import Person

    assert scope(Person.objects.all(), user).count() == 0


def test_masking_keeps_first_and_last_four():
    assert mask_id_number("34112519800101123X") == "3411**********123X"
    assert mask_phone("13912345678") == "139****5678"


def test_audit_entry_cannot_be_changed_or_deleted(tree, staff):
    with transaction.atomic():
        entry = audit.record(
            actor=staff[Role.COUNTY_ADMIN], action="core.region.update", obj=tree.county
        )
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_database_refuses_audit_update_even_bypassing_the_orm(tree, staff):
    with transaction.atomic():
        entry = audit.record(
            actor=staff[Role.COUNTY_ADMIN], action="core.region.update", obj=tree.county
        )
    with pytest.raises(IntegrityError if connection.vendor == "sqlite" else Exception):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditentry SET action = 'forged' WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.action == "core.region.update"


@pytest.mark.django_db(transaction=True)
def test_audit_record_for_a_write_outside_a_transaction_is_refused(tree, staff):
    with pytest.raises(RuntimeError):
        audit.record(actor=staff[Role.COUNTY_ADMIN], action="people.person.update", obj=tree.county)


def test_login_succeeds_and_is_audited(client, staff):
    user = staff[Role.TOWNSHIP_CLERK]
    response = client.post("/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="core.session.login", actor=user).exists()
    home = client.get("/")
    assert home.status_code == 200
    assert "定城镇" in home.content.decode()


def test_admin_site_is_hidden_from_non_administrators(client, staff):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    assert client.get("/admin/").status_code == 404
    client.force_login(staff[Role.COUNTY_ADMIN])
    assert client.get("/admin/").status_code in (200, 302)


HOME_TASKS = {
    Role.COUNTY_ADMIN: {"工作人员账号", "操作记录", "导入乡镇和村", "行政区划", "修改我的密码"},
    Role.AUDITOR: {"操作记录", "行政区划", "修改我的密码"},
    Role.LEADER: {"行政区划", "修改我的密码"},
    Role.TOWNSHIP_CLERK: {"行政区划", "修改我的密码"},
    Role.VILLAGE_ASSISTANT: {"行政区划", "修改我的密码"},
}
NOT_FOR = {"工作人员账号", "操作记录", "导入乡镇和村"}


@pytest.mark.parametrize("role", list(HOME_TASKS))
def test_home_page_offers_the_tasks_of_the_role(client, staff, role):
    client.force_login(staff[role])
    labels = {str(task["label"]) for task in client.get("/").context["tasks"]}
    assert HOME_TASKS[role] <= labels
    assert not (NOT_FOR - HOME_TASKS[role]) & labels


def test_home_page_shows_the_area_figures(client, tree, staff):
    from django.utils import timezone as tz

    PersonFactory(village=tree.village_a1)
    PersonFactory(village=tree.village_b1, death_date=datetime.date(2024, 1, 1))
    AccessAttempt.objects.create(
        username=staff[Role.LEADER].username,
        ip_address="203.0.113.9",
        user_agent="test",
        failures_since_start=settings.JUMIN_LOGIN_LOCK_FAILURES,
        attempt_time=tz.now(),
    )
    with transaction.atomic():
        audit.record(
            actor=staff[Role.COUNTY_ADMIN], action="core.region.update", obj=tree.village_b1
        )
    client.force_login(staff[Role.COUNTY_ADMIN])
    summary = client.get("/").context["summary"]
    # the counts come from the apps' registries (people: persons and the living)
    assert [(str(label), number) for label, number in summary["counts"]] == [
        ("登记人数", 2),
        ("在世人数", 1),
    ]
    assert summary["regions"] == {"townships": 2, "villages": 4}
    assert summary["staff"] == {"active": 7, "locked": 1}
    assert summary["audit_today"] == 1
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    clerk = client.get("/").context["summary"]
    assert [number for _label, number in clerk["counts"]] == [1, 1]
    assert "staff" not in clerk and "audit_today" not in clerk
