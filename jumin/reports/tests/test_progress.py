"""Targets and progress: counts on a small fixture, scoping per role, the target form."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from jumin.collection.models import DueKind, DueStatus
from jumin.core.models import AuditEntry, Role
from jumin.pension.models import ContributionDue, Enrolment, EnrolmentStatus
from jumin.pension.services.plans import plan_data_from_file, plan_seed
from jumin.reports.models import CollectionTarget
from jumin.reports.queries import progress
from jumin.reports.services.targets import targets_set
from jumin.testing.factories import PersonFactory

D = Decimal
YEAR = 2026


@pytest.fixture
def plan(tree):
    return plan_seed(
        actor=None, year=YEAR, region_code=tree.county.code, data=plan_data_from_file()
    )[0]


def enrol(person, user, status=EnrolmentStatus.PAYING):
    return Enrolment.objects.create(
        person=person, village=person.village, status=status, applied_by=user
    )


def due(person, plan, *, grade="100", kind=DueKind.PERSONAL, status=DueStatus.PAID, year=YEAR):
    paid = status in (DueStatus.PAID, DueStatus.CONFIRMED, DueStatus.POSTED)
    return ContributionDue.objects.create_due(
        person=person,
        village=person.village,
        plan=plan,
        year=year,
        kind=kind,
        grade=D(grade),
        amount=D(grade),
        status=status,
        paid_amount=D(grade) if paid else None,
        channel="government" if kind == DueKind.GOVERNMENT_PAID else ("cash" if paid else ""),
    )


@pytest.fixture
def collection(tree, staff, plan):
    """Township A: 8 enrolled (1 receiving), 4 paying, 500 yuan; township B: 3 and 2, 300."""
    user = staff[Role.VILLAGE_ASSISTANT]
    a1 = [PersonFactory(village=tree.village_a1) for _ in range(6)]
    a2 = [PersonFactory(village=tree.village_a2) for _ in range(3)]
    b1 = [PersonFactory(village=tree.village_b1) for _ in range(3)]
    for person in a1[:4] + a2[:2] + b1:
        enrol(person, user)
    enrol(a1[4], user, EnrolmentStatus.RECEIVING)
    enrol(a1[5], user, EnrolmentStatus.PENDING_TOWNSHIP)
    enrol(a2[2], user, EnrolmentStatus.PAUSED)
    due(a1[0], plan)  # lowest grade, paid
    due(a1[1], plan, grade="300", status=DueStatus.CONFIRMED)
    due(a1[2], plan, status=DueStatus.OPEN)  # not paid yet
    due(a1[2], plan, year=YEAR - 1)  # last year's
    due(a1[3], plan, kind=DueKind.GOVERNMENT_PAID, status=DueStatus.CONFIRMED)
    due(a2[0], plan, status=DueStatus.POSTED)
    due(b1[0], plan, grade="200")
    due(b1[1], plan)
    due(b1[2], plan, status=DueStatus.CANCELLED)
    CollectionTarget.objects.create(
        region=tree.township_a, year=YEAR, target_count=5, target_amount=D("1000"), set_by=user
    )
    CollectionTarget.objects.create(region=tree.township_b, year=YEAR, target_count=4, set_by=user)
    return {"a1": a1, "a2": a2, "b1": b1}


def by_code(report):
    return {row.code: row for row in report.rows}


def test_township_rows_count_the_way_the_reports_do(tree, staff, collection):
    report = progress.progress_report(staff[Role.COUNTY_ADMIN], year=YEAR)
    assert report.region == tree.county and report.row_level == "township"
    rows = by_code(report)
    a, b = rows[tree.township_a.code], rows[tree.township_b.code]
    assert (a.enrolled, a.receiving, a.paying_age, a.pending) == (8, 1, 7, 1)
    assert (a.paying, a.personal_payers, a.lowest_grade_payers, a.government_paid) == (4, 3, 2, 1)
    assert a.amount == D("500.00")
    assert (a.payment_rate, a.completion, a.amount_completion) == (D("57.1"), D("80.0"), D("50.0"))
    assert a.lowest_grade_share == D("66.7")
    assert (b.enrolled, b.paying, b.amount, b.lowest_grade_share) == (3, 2, D("300.00"), D("50.0"))
    assert b.completion == D("50.0") and b.amount_completion is None
    total = report.total
    assert (total.enrolled, total.paying, total.amount, total.target_count) == (
        11,
        6,
        D("800.00"),
        9,
    )
    assert total.completion == D("66.7") and total.target_amount == D("1000")


def test_village_rows_of_a_township(tree, staff, collection):
    report = progress.progress_report(
        staff[Role.COUNTY_CLERK], year=YEAR, region_code=tree.township_a.code
    )
    rows = by_code(report)
    assert list(rows) == [tree.village_a1.code, tree.village_a2.code]
    a1, a2 = rows[tree.village_a1.code], rows[tree.village_a2.code]
    assert (a1.enrolled, a1.paying, a1.amount, a1.government_paid) == (5, 3, D("400.00"), 1)
    assert (a2.enrolled, a2.paying, a2.amount) == (3, 1, D("100.00"))
    assert a1.target_count is None
    assert report.total.target_count == 5 and report.total.completion == D("80.0")
    assert report.parent == tree.county


def test_last_year_is_counted_apart(tree, staff, collection):
    report = progress.progress_report(staff[Role.LEADER], year=YEAR - 1)
    a = by_code(report)[tree.township_a.code]
    assert (a.paying, a.amount, a.target_count) == (1, D("100.00"), None)
    assert a.enrolled == 8  # enrolment is a state, not a year


def test_queries_do_not_grow_with_rows(tree, staff, collection, plan):
    user = staff[Role.COUNTY_ADMIN]
    with CaptureQueriesContext(connection) as before:
        progress.progress_report(user, year=YEAR)
    for _ in range(5):
        person = PersonFactory(village=tree.village_b2)
        enrol(person, staff[Role.VILLAGE_ASSISTANT])
        due(person, plan)
    with CaptureQueriesContext(connection) as after:
        report = progress.progress_report(user, year=YEAR)
    assert len(after) == len(before) <= 8
    assert report.total.paying == 11


def test_page_shows_townships_with_totals_and_links(client, tree, staff, collection):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get(reverse("reports:progress"), {"year": YEAR})
    assert response.status_code == 200
    text = response.content.decode()
    assert "定城镇" in text and "炉桥镇" in text and "定远县合计" in text
    assert f"region={tree.township_a.code}" in text
    assert "设置各乡镇任务数" in text
    drill = client.get(reverse("reports:progress"), {"year": YEAR, "region": tree.township_a.code})
    assert "东门村" in drill.content.decode() and "桥南村" not in drill.content.decode()


def test_export_has_chinese_headers_rows_and_totals(client, tree, staff, collection):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get(reverse("reports:progress_export"), {"year": YEAR})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("区划", "区划代码", "任务数（人）", "参保人数")
    assert [row[0] for row in rows[2:]] == ["定城镇", "炉桥镇", "定远县合计"]
    headers = rows[1]
    total = dict(zip(headers, rows[-1], strict=True))
    assert total["缴费人数"] == 6 and total["个人缴费金额（元）"] == 800
    assert total["任务完成率（%）"] == pytest.approx(66.7)
    assert AuditEntry.objects.filter(action="reports.progress.export").count() == 1


@pytest.mark.django_db(transaction=True)
def test_export_answers_and_audits_without_a_transaction_around_the_view(
    client, tree, staff, collection
):
    """As in production (no ATOMIC_REQUESTS): the export's audit entry is a read-only action
    recorded on its own; inside pytest's transaction this could not fail."""
    assert connection.get_autocommit()
    client.force_login(staff[Role.LEADER])
    response = client.get(reverse("reports:progress_export"), {"year": YEAR})
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="reports.progress.export").count() == 1


def test_api_returns_the_same_rows(client, tree, staff, collection):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get("/api/progress", {"year": YEAR})
    assert response.status_code == 200
    body = response.json()
    assert body["row_level"] == "township"
    a = {row["code"]: row for row in body["rows"]}[tree.township_a.code]
    assert (a["enrolled"], a["paying"], a["amount"], a["completion"]) == (8, 4, "500.00", "80.0")
    assert body["total"]["paying"] == 6
    villages = client.get("/api/progress", {"year": YEAR, "region": tree.township_b.code}).json()
    assert [row["code"] for row in villages["rows"]] == [
        tree.village_b1.code,
        tree.village_b2.code,
    ]
    assert client.get("/api/progress", {"year": "1800"}).status_code == 422


# --------------------------------------------------------------------------- scoping


def test_township_clerk_sees_only_the_own_township(client, tree, staff, collection):
    user = staff[Role.TOWNSHIP_CLERK]
    report = progress.progress_report(user, year=YEAR)
    assert [row.code for row in report.rows] == [tree.township_a.code]
    assert report.total.paying == 4 and report.total.target_count == 5
    client.force_login(user)
    assert client.get(reverse("reports:progress")).status_code == 200
    villages = client.get(
        reverse("reports:progress"), {"region": tree.township_a.code, "year": YEAR}
    )
    assert villages.status_code == 200
    other = {"region": tree.township_b.code, "year": YEAR}
    assert client.get(reverse("reports:progress"), other).status_code == 404
    assert client.get(reverse("reports:progress_export"), other).status_code == 404
    assert client.get("/api/progress", other).status_code == 404
    assert "设置各乡镇任务数" not in client.get(reverse("reports:progress")).content.decode()


def test_the_total_row_names_the_area_it_adds_up(client, tree, staff, collection):
    clerk = staff[Role.TOWNSHIP_CLERK]
    report = progress.progress_report(clerk, year=YEAR)
    assert report.region == tree.county
    assert (report.total.name, report.total.code) == ("定城镇合计", tree.township_a.code)
    client.force_login(clerk)
    page = client.get(reverse("reports:progress"), {"year": YEAR}).content.decode()
    assert "定城镇合计" in page and "定远县合计" not in page
    export = client.get(reverse("reports:progress_export"), {"year": YEAR})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[-1][0] == "定城镇合计"
    assistant = progress.progress_report(staff[Role.VILLAGE_ASSISTANT], year=YEAR)
    assert assistant.total.name == "东门村合计"
    assert progress.progress_report(staff[Role.LEADER], year=YEAR).total.name == "定远县合计"


def test_village_assistant_sees_only_the_own_village(client, tree, staff, collection):
    user = staff[Role.VILLAGE_ASSISTANT]
    report = progress.progress_report(user, year=YEAR)
    assert report.region == tree.township_a
    assert [row.code for row in report.rows] == [tree.village_a1.code]
    assert report.total.paying == 3
    assert report.total.target_count is None  # the township's target is not the village's
    assert report.parent is None
    client.force_login(user)
    api = client.get("/api/progress", {"year": YEAR}).json()
    assert [row["code"] for row in api["rows"]] == [tree.village_a1.code]
    for region in (tree.county.code, tree.township_b.code, tree.village_a1.code, "x"):
        query = {"region": region, "year": YEAR}
        assert client.get(reverse("reports:progress"), query).status_code == 404
        assert client.get(reverse("reports:progress_export"), query).status_code == 404
        assert client.get("/api/progress", query).status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_progress_of_its_scope(client, staff, collection, role):
    client.force_login(staff[role])
    assert client.get(reverse("reports:progress"), {"year": YEAR}).status_code == 200
    assert client.get("/api/progress").status_code == 200


def test_progress_needs_login(client, collection):
    assert client.get(reverse("reports:progress")).status_code == 302
    assert client.get("/api/progress").status_code == 401


# --------------------------------------------------------------------------- targets


def target_post(tree, a=("", ""), b=("", ""), year=YEAR + 1):
    return {
        "year": str(year),
        f"count_{tree.township_a.code}": a[0],
        f"amount_{tree.township_a.code}": a[1],
        f"count_{tree.township_b.code}": b[0],
        f"amount_{tree.township_b.code}": b[1],
    }


def test_county_admin_sets_targets_once_and_it_is_audited(client, tree, staff):
    client.force_login(staff[Role.COUNTY_ADMIN])
    url = reverse("reports:targets")
    page = client.get(url, {"year": YEAR + 1})
    assert page.status_code == 200
    assert "定城镇" in page.content.decode() and "炉桥镇" in page.content.decode()
    data = target_post(tree, a=("120", "15000"), b=("80", ""))
    first = client.post(url, data)
    assert first.status_code == 302
    again = client.post(url, data)
    assert again.status_code == 302
    targets = {t.region_id: t for t in CollectionTarget.objects.filter(year=YEAR + 1)}
    assert targets[tree.township_a.code].target_count == 120
    assert targets[tree.township_a.code].target_amount == D("15000.00")
    assert targets[tree.township_b.code].target_amount is None
    entries = AuditEntry.objects.filter(action="reports.target.set")
    assert entries.count() == 1
    assert entries.get().after[tree.township_a.code]["target_count"] == 120
    changed = client.post(url, target_post(tree, a=("130", "15000"), b=("", "")))
    assert changed.status_code == 302
    entry = AuditEntry.objects.filter(action="reports.target.set").latest("pk")
    assert entry.before[tree.township_a.code]["target_count"] == 120
    assert entry.after[tree.township_a.code]["target_count"] == 130
    assert entry.after[tree.township_b.code] is None
    assert CollectionTarget.objects.filter(year=YEAR + 1).count() == 1
    assert AuditEntry.objects.filter(action="reports.target.set").count() == 2


@pytest.mark.parametrize(
    ("a", "message"),
    [
        (("-1", ""), "定城镇：任务数应在0至10000000之间"),
        (("abc", ""), "定城镇：任务数必须是整数"),
        (("10", "1.234"), "定城镇：金额任务：金额“1.234”最多两位小数"),
        (("10", "1e28"), "定城镇：金额任务：金额“1e28”过大"),
        (("", "100"), "定城镇：填写了金额任务，也要填写任务数"),
    ],
)
def test_bad_targets_are_named_and_nothing_is_written(client, tree, staff, a, message):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.post(reverse("reports:targets"), target_post(tree, a=a, b=("50", "")))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CollectionTarget.objects.exists()
    assert not AuditEntry.objects.filter(action="reports.target.set").exists()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.COUNTY_ADMIN])
def test_only_the_county_admin_sets_targets(client, tree, staff, role):
    client.force_login(staff[role])
    url = reverse("reports:targets")
    assert client.get(url).status_code == 403
    assert client.post(url, target_post(tree, a=("1", ""))).status_code == 403
    assert not CollectionTarget.objects.exists()


def test_targets_service_refuses_a_township_of_another_county(tree, staff):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="不在本县"):
        targets_set(
            acting_user=staff[Role.COUNTY_ADMIN], year=YEAR, targets={"341126100000": ("1", "")}
        )
