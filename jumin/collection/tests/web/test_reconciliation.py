"""Pages and API of the statement, reconciliation, government funds and posting: roles, scope."""

import datetime
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jumin.collection.models import (
    BankStatementFile,
    Due,
    DueStatus,
    Reconciliation,
    ReconciliationStatus,
)
from jumin.collection.services.reconciliation import reconciliation_compute
from jumin.collection.tests.factories import (
    MARCH,
    ReceiptBookFactory,
    ReceiptFactory,
    clean_month,
    statement_csv,
)
from jumin.core.jobs import QUEUES
from jumin.core.models import AuditEntry, Role
from jumin.core.services.tokens import token_create
from jumin.pension.models import Posting
from jumin.pension.tests.factories import EnrolmentFactory, PensionDueFactory, PlanFactory

ALL = list(Role)
IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}
}

# "Today's receipts" are the page's today: every test here runs on a fixed day of the plan's
# year, after the statement lines of March were booked.
TODAY = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def plan(db):
    return PlanFactory()


def bearer(user):
    _, key = token_create(acting_user=None, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def today_receipt(tree, staff, plan, village, payer_name=None):
    person = EnrolmentFactory(village=village).person
    due = PensionDueFactory(plan=plan, person=person, status=DueStatus.PAID)
    book = ReceiptBookFactory(holder=staff[Role.VILLAGE_ASSISTANT], holder_region=village)
    return ReceiptFactory(book=book, due=due, on=timezone.localdate(), payer_name=payer_name)


# --------------------------------------------------------------------------- today's receipts


def test_township_clerk_sees_todays_receipts_of_the_township_only(client, tree, staff, plan):
    mine = today_receipt(tree, staff, plan, tree.village_a1)
    other = today_receipt(tree, staff, plan, tree.village_b1)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.get(reverse("collection:reconciliations"))
    assert response.status_code == 200
    text = response.content.decode()
    assert f"{mine.series}-{mine.number}" in text and mine.person.name in text
    assert f"{other.series}-{other.number}" not in text
    assert "未缴存" in text and "今天开出的票据" in text


def test_day_filter(client, tree, staff, plan):
    month = clean_month(tree, staff, plan)
    client.force_login(staff[Role.FINANCE])
    response = client.get(reverse("collection:reconciliations"), {"on": "2026-03-10"})
    text = response.content.decode()
    assert month["receipt"].person.name in text and "银行已到账" in text


@pytest.mark.parametrize("role", ALL)
def test_every_role_may_look(client, tree, staff, plan, role):
    client.force_login(staff[role])
    assert client.get(reverse("collection:reconciliations")).status_code == 200
    assert client.get(reverse("contributions:postings")).status_code == 200
    assert client.get(reverse("collection:statements")).status_code == 200
    # the county's government funds: totals for county staff, an empty page below the county
    assert client.get(reverse("collection:government_paid")).status_code == 200


# --------------------------------------------------------------------------- months


def test_compute_and_confirm_through_the_pages(client, tree, staff, plan):
    month = clean_month(tree, staff, plan)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(
        reverse("collection:reconciliation_compute"),
        {"region": tree.township_a.code, "month": "2026-03"},
    )
    row = Reconciliation.objects.get(region=tree.township_a, month=MARCH)
    assert response.status_code == 302 and response.url.endswith(f"/{row.pk}/")
    page = client.get(response.url).content.decode()
    assert "没有须解决的差异" in page and "确认本月对账" in page
    response = client.post(reverse("collection:reconciliation_confirm", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    month["due"].refresh_from_db()
    assert row.status == ReconciliationStatus.CONFIRMED
    assert month["due"].status == DueStatus.CONFIRMED


def test_confirm_refused_shows_the_differences(client, tree, staff, plan):
    today_receipt(tree, staff, plan, tree.village_a1)
    row = reconciliation_compute(staff[Role.TOWNSHIP_CLERK], tree.village_a1, timezone.localdate())
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(reverse("collection:reconciliation_confirm", args=[row.pk]), follow=True)
    text = response.content.decode()
    assert "差异没有解决，不能确认" in text and "票据未缴存" in text
    row.refresh_from_db()
    assert row.status == ReconciliationStatus.DRAFT


def test_month_pages_are_scoped(client, tree, staff, plan):
    clean_month(tree, staff, plan, village=tree.village_b1)
    row = reconciliation_compute(staff[Role.FINANCE], tree.village_b1, MARCH)
    for role in (Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT):
        client.force_login(staff[role])
        assert (
            client.get(reverse("collection:reconciliation_detail", args=[row.pk])).status_code
            == 404
        )
        # confirming: the permission first (the assistant has none), then the scope
        assert client.post(
            reverse("collection:reconciliation_confirm", args=[row.pk])
        ).status_code == (404 if role == Role.TOWNSHIP_CLERK else 403)
    client.force_login(staff[Role.AUDITOR])
    assert client.get(reverse("collection:reconciliation_detail", args=[row.pk])).status_code == 200
    assert (
        client.post(reverse("collection:reconciliation_confirm", args=[row.pk])).status_code == 403
    )


def test_compute_outside_scope_is_refused(client, tree, staff, plan):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(
        reverse("collection:reconciliation_compute"),
        {"region": tree.township_b.code, "month": "2026-03"},
        follow=True,
    )
    assert "辖区内" in response.content.decode()
    assert not Reconciliation.objects.exists()


# --------------------------------------------------------------------------- statement


def test_statement_upload_page(client, tree, staff, plan):
    client.force_login(staff[Role.FINANCE])
    content = statement_csv([("2026-03-21", "200.00", "S1", "王")])
    response = client.post(
        reverse("collection:statements"),
        {"bank": "农商行", "file": SimpleUploadedFile("s.csv", content)},
    )
    statement = BankStatementFile.objects.get()
    assert response.status_code == 302
    assert "未对上" in client.get(response.url).content.decode()
    bad = statement_csv([("2026-03-22", "300.00", "S2", "王")], total="1.00")
    response = client.post(
        reverse("collection:statements"),
        {"bank": "农商行", "file": SimpleUploadedFile("b.csv", bad)},
    )
    assert response.status_code == 200 and "两者不符" in response.content.decode()
    assert BankStatementFile.objects.count() == 1
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    assert (
        client.get(reverse("collection:statement_detail", args=[statement.pk])).status_code == 404
    )
    response = client.post(
        reverse("collection:statements"),
        {"bank": "农商行", "file": SimpleUploadedFile("s.csv", content)},
    )
    assert response.status_code == 403


def test_statement_api(client, tree, staff, plan):
    content = statement_csv([("2026-03-21", "200.00", "S1", "王")])
    headers = bearer(staff[Role.FINANCE])
    response = client.post(
        "/api/bank-statements",
        {"bank": "农商行", "file": SimpleUploadedFile("s.csv", content)},
        **headers,
    )
    assert response.status_code == 201, response.content
    again = client.post(
        "/api/bank-statements",
        {"bank": "农商行", "file": SimpleUploadedFile("s.csv", content)},
        **headers,
    )
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    detail = client.get(f"/api/bank-statements/{response.json()['id']}", **headers).json()
    assert detail["lines"][0]["reference"] == "S1"
    bad = statement_csv([("2026-03-22", "300.00", "S2", "王")], count=2)
    refused = client.post(
        "/api/bank-statements",
        {"bank": "农商行", "file": SimpleUploadedFile("b.csv", bad)},
        **headers,
    )
    assert refused.status_code == 422 and "不符" in refused.json()["message"]
    clerk = bearer(staff[Role.TOWNSHIP_CLERK])
    assert client.get(f"/api/bank-statements/{response.json()['id']}", **clerk).status_code == 404
    assert client.get("/api/bank-statements", **clerk).json() == []


# --------------------------------------------------------------------------- reconciliation API


def test_reconciliation_api(client, tree, staff, plan):
    month = clean_month(tree, staff, plan)
    headers = bearer(staff[Role.TOWNSHIP_CLERK])
    response = client.post(
        "/api/reconciliations",
        json.dumps({"region_code": tree.village_a1.code, "month": "2026-03"}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["blocking_count"] == 0 and body["receipt_sum"] == "200.00"
    confirmed = client.post(f"/api/reconciliations/{body['id']}/confirm", **headers)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    month["due"].refresh_from_db()
    assert month["due"].status == DueStatus.CONFIRMED
    listed = client.get("/api/reconciliations", {"month": "2026-03"}, **headers).json()
    assert [row["id"] for row in listed] == [body["id"]]
    day = client.get("/api/reconciliations/day", {"on": "2026-03-10"}, **headers).json()
    assert day[0]["money_checked"] is True
    other = bearer(StaffOf(tree.village_b1))
    assert client.get(f"/api/reconciliations/{body['id']}", **other).status_code == 404
    assert client.post(f"/api/reconciliations/{body['id']}/confirm", **other).status_code == 404


def StaffOf(region, role=Role.VILLAGE_ASSISTANT):  # noqa: N802
    from jumin.testing.factories import StaffFactory

    return StaffFactory(role=role, region=region)


def test_reconciliation_api_refuses_with_differences(client, tree, staff, plan):
    today_receipt(tree, staff, plan, tree.village_a1)
    headers = bearer(staff[Role.TOWNSHIP_CLERK])
    body = client.post(
        "/api/reconciliations",
        json.dumps(
            {"region_code": tree.village_a1.code, "month": timezone.localdate().strftime("%Y-%m")}
        ),
        content_type="application/json",
        **headers,
    ).json()
    assert body["blocking_count"] == 1
    refused = client.post(f"/api/reconciliations/{body['id']}/confirm", **headers)
    assert refused.status_code == 422 and refused.json()["code"] == "validation_error"
    assistant = bearer(staff[Role.VILLAGE_ASSISTANT])
    assert client.post(f"/api/reconciliations/{body['id']}/confirm", **assistant).status_code == 403


# --------------------------------------------------------------------------- government funds


def test_government_paid_page_and_api(client, tree, staff, plan):
    from jumin.collection.models import Channel, DueKind

    due = PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_a1).person,
        amount="100.00",
        kind=DueKind.GOVERNMENT_PAID,
        channel=Channel.GOVERNMENT,
        status=DueStatus.OPEN,
    )
    client.force_login(staff[Role.FINANCE])
    page = client.get(reverse("collection:government_paid"), {"year": 2026}).content.decode()
    assert "100.00" in page
    response = client.post(
        reverse("collection:government_paid"),
        {"scheme": "pension", "year": 2026, "amount": "90.00", "reference": "CZ-1"},
    )
    assert response.status_code == 200 and "不符" in response.content.decode()
    headers = bearer(staff[Role.FINANCE])
    answer = client.post(
        "/api/reconciliations/government-paid",
        json.dumps({"scheme": "pension", "year": 2026, "amount": "100.00", "reference": "CZ-1"}),
        content_type="application/json",
        **headers,
    )
    assert answer.status_code == 200 and answer.json()["confirmed"] == 1
    due.refresh_from_db()
    assert due.status == DueStatus.CONFIRMED
    clerk = bearer(staff[Role.COUNTY_CLERK])
    forbidden = client.post(
        "/api/reconciliations/government-paid",
        json.dumps({"scheme": "pension", "year": 2026, "amount": "100.00", "reference": "CZ-1"}),
        content_type="application/json",
        **clerk,
    )
    assert forbidden.status_code == 403


# --------------------------------------------------------------------------- posting


def test_posting_page_runs_a_job(
    client, tree, staff, plan, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_a1).person,
        status=DueStatus.CONFIRMED,
    )
    client.force_login(staff[Role.FINANCE])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contributions:postings"), {"year": 2026})
    assert response.status_code == 302
    job_page = client.get(response.url)
    assert job_page.status_code == 200
    posting = Posting.objects.get()  # the test task backend runs the job at once
    assert posting.due_count == 1 and posting.job_id is not None
    assert "记账完成" in client.get(response.url).content.decode()
    assert "200.00" in client.get(reverse("contributions:postings")).content.decode()


@pytest.mark.parametrize(
    "role", [Role.COUNTY_CLERK, Role.AUDITOR, Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT]
)
def test_posting_refused_for_other_roles(client, tree, staff, plan, role):
    client.force_login(staff[role])
    assert client.post(reverse("contributions:postings"), {"year": 2026}).status_code == 403
    response = client.post(
        "/api/postings",
        json.dumps({"year": 2026}),
        content_type="application/json",
        **bearer(staff[role]),
    )
    assert response.status_code == 403
    assert not Posting.objects.exists()


def test_posting_api(client, tree, staff, plan, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_a1).person,
        status=DueStatus.CONFIRMED,
    )
    headers = bearer(staff[Role.COUNTY_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/postings", json.dumps({"year": 2026}), content_type="application/json", **headers
        )
    assert response.status_code == 202, response.content
    listed = client.get("/api/postings", **headers).json()
    assert listed[0]["due_count"] == 1 and listed[0]["amount_sum"] == "200.00"
    assert AuditEntry.objects.filter(action="pension.posting.run").count() == 1
    assert client.get("/api/postings", **bearer(staff[Role.TOWNSHIP_CLERK])).json() == []


def test_cli_commands(tree, staff, plan, tmp_path):
    from django.core.management import call_command

    PensionDueFactory(
        plan=plan,
        person=EnrolmentFactory(village=tree.village_a1).person,
        status=DueStatus.CONFIRMED,
    )
    path = tmp_path / "s.csv"
    path.write_bytes(statement_csv([("2026-03-21", "200.00", "S1", "王")]))
    import io

    out = io.StringIO()
    call_command("import_bank_statement", str(path), county="341125", bank="农商行", stdout=out)
    call_command("import_bank_statement", str(path), county="341125", bank="农商行", stdout=out)
    assert "新增 1 笔" in out.getvalue() and "导入过" in out.getvalue()
    call_command("post_contributions", county="341125", year=2026, no_progress=True, stdout=out)
    assert "记账 1 笔应缴" in out.getvalue()
    assert Due.objects.get().status == DueStatus.POSTED
