import datetime
import io
import pathlib
import re

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from jumin.core import audit, registration
from jumin.core.models import AuditEntry, RegionLevel, Role
from jumin.core.queries import audit as queries
from jumin.core.web.forms import AuditSearchForm
from jumin.testing.factories import PersonFactory, RegionFactory, StaffFactory


def write(actor, action, **fields):
    with transaction.atomic():
        return audit.record(actor=actor, action=action, **fields)


@pytest.fixture
def persons(tree):
    return {
        "a": PersonFactory(village=tree.village_a1),
        "b": PersonFactory(village=tree.village_b1),
    }


@pytest.mark.parametrize("role", list(Role))
def test_audit_pages_are_for_administrators_and_auditors(client, staff, role):
    client.force_login(staff[role])
    expected = 200 if role in (Role.COUNTY_ADMIN, Role.AUDITOR) else 403
    assert client.get("/audit/").status_code == expected
    assert client.get("/audit/export.xlsx").status_code == expected


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_audit_pages_accept_no_writes(client, staff, method):
    client.force_login(staff[Role.COUNTY_ADMIN])
    entry = write(staff[Role.COUNTY_ADMIN], "core.staff.update", obj=staff[Role.COUNTY_CLERK])
    for url in ("/audit/", "/audit/export.xlsx", f"/audit/?id={entry.pk}"):
        assert getattr(client, method)(url).status_code == 405
    assert AuditEntry.objects.filter(pk=entry.pk, action="core.staff.update").exists()


def test_search_by_id_number_finds_the_persons_entries_only(client, staff, persons):
    clerk = staff[Role.TOWNSHIP_CLERK]
    write(
        clerk, "people.person.update", obj=persons["a"], before={"phone": "1"}, after={"phone": "2"}
    )
    audit.record(actor=clerk, action="people.person.view", obj=persons["a"])
    audit.record(actor=clerk, action="people.person.view", obj=persons["b"])
    client.force_login(staff[Role.AUDITOR])
    response = client.get("/audit/", {"id_number": persons["a"].id_number.lower()})
    entries = list(response.context["page"].object_list)
    assert {entry.action for entry in entries} == {"people.person.update", "people.person.view"}
    assert {entry.object_id for entry in entries} == {str(persons["a"].pk)}
    assert "联系电话" in response.content.decode()


def test_an_unknown_id_number_says_so(client, staff, persons):
    client.force_login(staff[Role.AUDITOR])
    response = client.get("/audit/", {"id_number": "110101199003077777"})
    assert response.context["not_found"] == ["在您的管辖范围内没有这个身份证号的参保人。"]
    assert response.context["page"].paginator.count == 0
    assert "没有这个身份证号" in response.content.decode()


def test_search_by_actor_action_object_type_and_request_id(client, staff, tree):
    admin, clerk = staff[Role.COUNTY_ADMIN], staff[Role.TOWNSHIP_CLERK]
    with audit.request_context("req-one"):
        write(admin, "core.staff.update", obj=clerk)
    with audit.request_context("req-two"):
        write(clerk, "core.region.update", obj=tree.village_a1)
    client.force_login(admin)

    def found(**params):
        page = client.get("/audit/", params).context["page"]
        return [(entry.actor_name, entry.action) for entry in page.object_list]

    assert found(actor=clerk.username) == [(clerk.username, "core.region.update")]
    assert found(action="core.staff.update") == [(admin.username, "core.staff.update")]
    assert found(object_type="core.region") == [(clerk.username, "core.region.update")]
    assert found(request_id="req-one") == [(admin.username, "core.staff.update")]


def test_search_by_date_range_includes_the_whole_last_day(client, staff, tree):
    admin = staff[Role.COUNTY_ADMIN]
    today = timezone.localdate()
    with transaction.atomic():
        for days in (0, 3, 10):
            AuditEntry.objects.create(
                at=timezone.make_aware(
                    datetime.datetime.combine(
                        today - datetime.timedelta(days=days), datetime.time(23, 30)
                    )
                ),
                actor=admin,
                actor_name=admin.username,
                action=f"test.day{days}",
                region_code=tree.county.code,
            )
    client.force_login(admin)
    response = client.get(
        "/audit/",
        {
            "date_from": (today - datetime.timedelta(days=5)).isoformat(),
            "date_to": today.isoformat(),
        },
    )
    actions = {entry.action for entry in response.context["page"].object_list}
    assert actions == {"test.day0", "test.day3"}
    backwards = client.get("/audit/", {"date_from": today.isoformat(), "date_to": "2000-01-01"})
    assert "结束日期不能早于开始日期" in backwards.content.decode()


def test_the_search_is_scoped_by_region_code(client, staff, tree):
    other = RegionFactory(
        code="341122000000", name="来安县", level=RegionLevel.COUNTY, parent=tree.city
    )
    outsider = StaffFactory(role=Role.COUNTY_ADMIN, region=other)
    write(outsider, "core.staff.update", obj=outsider)
    write(staff[Role.COUNTY_ADMIN], "core.region.update", obj=tree.village_b1)
    system = write(None, "core.region.load", region_code="")
    client.force_login(staff[Role.AUDITOR])
    shown = {entry.pk for entry in client.get("/audit/").context["page"].object_list}
    assert system.pk in shown
    assert not AuditEntry.objects.filter(region_code__startswith="341122", pk__in=shown).exists()
    assert AuditEntry.objects.filter(action="core.region.update", pk__in=shown).exists()


def test_a_township_scope_sees_neither_other_townships_nor_entries_without_a_region(staff, tree):
    write(staff[Role.COUNTY_ADMIN], "core.region.update", obj=tree.village_a1)
    write(staff[Role.COUNTY_ADMIN], "core.region.update", obj=tree.village_b1)
    write(None, "core.region.load", region_code="")
    clerk = staff[Role.TOWNSHIP_CLERK]
    codes = set(
        queries.audit_scope(AuditEntry.objects.all(), clerk).values_list("region_code", flat=True)
    )
    assert codes == {tree.village_a1.code}
    county_codes = set(
        queries.audit_scope(AuditEntry.objects.all(), staff[Role.AUDITOR]).values_list(
            "region_code", flat=True
        )
    )
    assert county_codes == {tree.village_a1.code, tree.village_b1.code, ""}


def test_the_search_is_paginated_with_a_fixed_number_of_queries(
    client, staff, tree, django_assert_max_num_queries
):
    admin = staff[Role.COUNTY_ADMIN]
    with transaction.atomic():
        for number in range(queries.AUDIT_PAGE_SIZE + 5):
            audit.record(
                actor=admin, action="core.region.update", obj=tree.village_a1, after={"n": number}
            )
    client.force_login(admin)
    client.get("/audit/")
    with django_assert_max_num_queries(8):
        first = client.get("/audit/")
    assert len(first.context["page"].object_list) == queries.AUDIT_PAGE_SIZE
    second = client.get("/audit/", {"page": 2, "action": "core.region.update"})
    assert len(second.context["page"].object_list) == 5


def test_export_writes_the_found_entries_and_is_audited(client, staff, tree, persons):
    admin = staff[Role.COUNTY_ADMIN]
    write(
        admin,
        "people.person.update",
        obj=persons["a"],
        before={"name": "=HYPERLINK(1)"},
        after={"name": "张三"},
    )
    write(admin, "core.region.update", obj=tree.village_b1)
    client.force_login(staff[Role.AUDITOR])
    response = client.get("/audit/export.xlsx", {"id_number": persons["a"].id_number})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "时间"
    assert len(rows) == 2
    assert rows[1][2] == "修改参保人"
    assert rows[1][7] == "姓名: =HYPERLINK(1)"  # kept as text, never a formula
    assert sheet.cell(row=2, column=8).data_type == "s"
    entry = AuditEntry.objects.get(action="core.audit.export")
    assert entry.actor == staff[Role.AUDITOR]
    assert entry.after == {"rows": 1, "filters": {"id_number": persons["a"].id_number}}


def test_the_page_says_nothing_can_be_changed(client, staff):
    client.force_login(staff[Role.AUDITOR])
    page = client.get("/audit/").content.decode()
    assert "不能修改或删除" in page
    assert '<form method="post"' not in page.split("<main>")[1]


def test_changes_are_shown_with_chinese_labels(staff, tree):
    entry = write(
        staff[Role.COUNTY_ADMIN],
        "core.staff.update",
        obj=staff[Role.TOWNSHIP_CLERK],
        before={"role": "township_clerk", "is_active": True},
        after={"role": "village_assistant", "is_active": False},
    )
    rows = queries.audit_changes(entry, staff[Role.AUDITOR])
    assert rows == [("角色", "乡镇经办员", "村协理员"), ("账号可用", "是", "否")]


# --------------------------------------------------------------------------- every action, every type


def declared_actions() -> list:
    """Every member of every app's action enum, read from the registries themselves."""
    return [
        action
        for _label, registry in registration.registries()
        if registry.actions is not None
        for action in registry.actions
    ]


def test_the_action_filter_offers_every_declared_action_once_by_its_label():
    choices = dict(AuditSearchForm().fields["action"].choices)
    offered = {value: str(label) for value, label in choices.items() if value}
    declared = {action.value: str(action.label) for action in declared_actions()}
    assert offered == declared
    assert len(offered) > 24  # the page once offered 24 of the actions the code records
    for label in offered.values():
        assert label.strip() and "." not in label  # a Chinese label, never the raw name


def test_filtering_by_an_action_finds_the_entries_stored_under_its_older_names(staff, tree):
    """The trail is append-only: entries written before an action was renamed keep the old
    name, and the filter for the action finds them with the new ones."""
    auditor = staff[Role.AUDITOR]
    renamed = [action for action in declared_actions() if action.legacy]
    assert renamed
    AuditEntry.objects.bulk_create(
        AuditEntry(actor_name="old", action=name, object_type="core.region", region_code="")
        for action in renamed
        for name in registration.recorded_names(action)
    )
    for action in renamed:
        filters = queries.AuditFilters(action=action.value)
        found = queries.audit_search(auditor, filters).entries.values_list("action", flat=True)
        assert sorted(found) == sorted(registration.recorded_names(action)), action.value
        for name in action.legacy:
            assert registration.action_label(name) == str(action.label)


def test_the_type_filter_offers_every_declared_object_type():
    choices = dict(AuditSearchForm().fields["object_type"].choices)
    offered = {value: str(label) for value, label in choices.items() if value}
    assert offered == {key: str(label) for key, label in registration.object_types().items()}


# Apps whose object types are not all declared yet; each leaves this set when its registry
# names every model it scopes and every type it records (strict: a finished app left here fails).
OBJECT_TYPES_PENDING: set[str] = set()


def _object_types_in_source(app_config) -> set[str]:
    """The ``object_type="app.model"`` literals in an app's code (tests excluded)."""
    found = set()
    root = pathlib.Path(app_config.path)
    for path in root.rglob("*.py"):
        if "tests" in path.relative_to(root).parts:
            continue
        found.update(re.findall(r'object_type="([a-z_]+\.[a-z_]+)"', path.read_text("utf-8")))
    return found


def _jumin_apps() -> list[str]:
    return [config.label for config in apps.get_app_configs() if config.name.startswith("jumin.")]


@pytest.mark.parametrize("app", _jumin_apps())
def test_every_object_type_an_app_records_has_a_label(app, request):
    """Every model an app scopes (``scope_field``: what its entries are about) and every type
    its code names in ``audit.record(object_type=...)`` has a label on the audit page."""
    if app in OBJECT_TYPES_PENDING:
        request.applymarker(pytest.mark.xfail(strict=True, reason="object types not declared"))
    config = apps.get_app_config(app)
    scoped = {
        model._meta.label_lower for model in config.get_models() if hasattr(model, "scope_field")
    }
    wanted = scoped | _object_types_in_source(config)
    labels = registration.object_types()
    assert sorted(wanted - set(labels)) == []
    assert all(str(labels[key]).strip() for key in wanted)
