"""Pages and API of dues, withholding batches and tax files: scoping per role, uploads, jobs."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jumin.collection.formats.tax_file import tax_file_bytes
from jumin.collection.formats.withholding import GENERIC
from jumin.collection.models import (
    BankResultFile,
    Due,
    DueStatus,
    TaxPaymentFile,
    WithholdingBatch,
)
from jumin.collection.services import withholding as services
from jumin.collection.tests.factories import YEAR
from jumin.core.jobs import QUEUES
from jumin.core.models import AuditEntry, JobRun, Role
from jumin.core.services.tokens import token_create
from jumin.pension.services.dues import dues_generate
from jumin.pension.tests.factories import EnrolmentFactory, PlanFactory
from jumin.testing.factories import StaffFactory

DAY = datetime.date(2026, 4, 10)
IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}
}
COUNTY_ROLES = [Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.FINANCE, Role.AUDITOR, Role.LEADER]


@pytest.fixture
def world(tree, staff):
    """Paying enrollees in A1 and B1 with 农商行 passbooks, dues, and one batch."""
    PlanFactory()
    in_a1 = EnrolmentFactory(
        village=tree.village_a1,
        person__name="甲一",
        person__passbook_number="6228001",
        person__passbook_bank="农商行",
    ).person
    in_b1 = EnrolmentFactory(
        village=tree.village_b1,
        person__name="乙一",
        person__passbook_number="6228002",
        person__passbook_bank="农商行",
    ).person
    dues_generate(acting_user=None, region_code="341125", year=YEAR)
    batch = services.batch_create(acting_user=None, region_code="341125", bank="农商行", year=YEAR)
    return {"a1": in_a1, "b1": in_b1, "batch": batch}


def api_client(client, user):
    _, key = token_create(acting_user=None, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def result_bytes(batch, failed=()):
    lines = [
        (
            line,
            "51" if line.line_number in failed else "00",
            "余额不足" if line.line_number in failed else "",
        )
        for line in services.export_lines(batch)
    ]
    return GENERIC.result_file(services.batch_header(batch), lines, deducted_on=DAY)


@pytest.mark.parametrize("role", list(Role))
def test_dues_page_lists_only_dues_in_scope(client, staff, world, role):
    client.force_login(staff[role])
    page = client.get(reverse("contributions:dues"), {"year": YEAR}).content.decode()
    assert "甲一" in page
    assert ("乙一" in page) == (role in COUNTY_ROLES)


@pytest.mark.parametrize("role", list(Role))
def test_dues_api_scoping(client, staff, world, role):
    headers = api_client(client, staff[role])
    listed = client.get("/api/dues", {"year": YEAR}, **headers).json()
    names = {row["name"] for row in listed["results"]}
    assert names == ({"甲一", "乙一"} if role in COUNTY_ROLES else {"甲一"})
    other = Due.objects.get(person=world["b1"])
    expected = 200 if role in COUNTY_ROLES else 404
    assert client.get(f"/api/dues/{other.pk}", **headers).status_code == expected


def test_dues_filters(client, staff, world, tree):
    client.force_login(staff[Role.COUNTY_CLERK])
    page = client.get(
        reverse("contributions:dues"), {"village": tree.village_b1.code}
    ).content.decode()
    assert "乙一" in page and "甲一" not in page
    page = client.get(reverse("contributions:dues"), {"status": "open"}).content.decode()
    assert "没有符合条件的应缴记录" in page  # both are in the batch
    page = client.get(
        reverse("contributions:dues"), {"kind": "personal", "year": "x"}
    ).content.decode()
    assert "甲一" in page


@pytest.mark.parametrize("role", list(Role))
def test_batch_pages_and_api_are_404_outside_scope(client, staff, world, role):
    batch = world["batch"]
    client.force_login(staff[role])
    expected = 200 if role in COUNTY_ROLES else 404
    assert client.get(reverse("collection:batch_detail", args=[batch.pk])).status_code == expected
    headers = api_client(client, staff[role])
    assert client.get(f"/api/withholding/{batch.pk}", **headers).status_code == expected
    listed = client.get("/api/withholding", **headers).json()
    assert len(listed) == (1 if role in COUNTY_ROLES else 0)


def test_generate_page_starts_a_job_and_shows_its_result(
    client, staff, tree, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    PlanFactory()
    EnrolmentFactory(village=tree.village_a1)
    client.force_login(staff[Role.COUNTY_CLERK])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("contributions:dues_generate"), {"year": YEAR})
    run = JobRun.objects.get(kind="pension.dues.generate")
    assert response.status_code == 302 and str(run.pk) in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "生成完成" in page and "新增个人缴费：1" in page
    assert Due.objects.count() == 1
    # again: a finished run may be started again and adds nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("contributions:dues_generate"), {"year": YEAR})
    assert Due.objects.count() == 1
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    assert client.post(reverse("contributions:dues_generate"), {"year": YEAR}).status_code == 403
    assert client.get(reverse("contributions:dues_job", args=[run.pk])).status_code == 404


def test_generate_page_without_a_plan_says_so(client, staff, tree, settings):
    settings.TASKS = IMMEDIATE
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.post(reverse("contributions:dues_generate"), {"year": 2031}, follow=True)
    assert "2031年没有适用于本县的缴费方案" in response.content.decode()


def test_batch_pages_round_trip(client, staff, tree):
    PlanFactory()
    EnrolmentFactory(
        village=tree.village_a1,
        person__name="甲一",
        person__passbook_number="6228001",
        person__passbook_bank="农商行",
    )
    EnrolmentFactory(
        village=tree.village_a2,
        person__name="甲二",
        person__passbook_number="6228003",
        person__passbook_bank="农商行",
    )
    dues_generate(acting_user=None, region_code="341125", year=YEAR)
    client.force_login(staff[Role.COUNTY_CLERK])
    response = client.post(reverse("collection:batch_create"), {"bank": "农商行", "year": YEAR})
    assert response.status_code == 302
    batch = WithholdingBatch.objects.get()
    again = client.post(reverse("collection:batch_create"), {"bank": "农商行", "year": YEAR})
    assert "没有可由农商行代扣" in again.content.decode()
    export = client.get(reverse("collection:batch_export", args=[batch.pk]))
    assert export.status_code == 200 and export.content.startswith(b"JUMIN-WH,1,341125-2026-")
    bad = result_bytes(batch).replace(b",2,200.00,", b",2,300.00,")
    response = client.post(
        reverse("collection:batch_result", args=[batch.pk]),
        {"file": SimpleUploadedFile("bad.csv", bad)},
    )
    assert response.status_code == 422 and "金额合计不符" in response.content.decode()
    good = result_bytes(batch, failed={2})
    for _ in range(2):
        response = client.post(
            reverse("collection:batch_result", args=[batch.pk]),
            {"file": SimpleUploadedFile("ok.csv", good)},
        )
        assert response.status_code == 302
    assert BankResultFile.objects.count() == 1
    page = client.get(reverse("collection:batch_detail", args=[batch.pk])).content.decode()
    assert "51 余额不足" in page and "扣款成功" in page
    assert client.post(reverse("collection:batch_confirm", args=[batch.pk])).status_code == 403
    client.force_login(staff[Role.FINANCE])
    client.post(reverse("collection:batch_confirm", args=[batch.pk]))
    assert Due.objects.filter(status=DueStatus.CONFIRMED).count() == 1
    assert client.get(reverse("collection:batches")).status_code == 200


def test_batch_api_round_trip(client, staff, world):
    clerk = api_client(client, staff[Role.COUNTY_CLERK])
    batch = world["batch"]
    exported = client.get(f"/api/withholding/{batch.pk}/export", **clerk)
    assert exported.status_code == 200 and b"6228002" in exported.content
    bad = result_bytes(batch).replace(b"6228002", b"6228999")
    response = client.post(
        f"/api/withholding/{batch.pk}/results",
        {"file": SimpleUploadedFile("bad.csv", bad)},
        **clerk,
    )
    body = response.json()
    assert response.status_code == 422 and body["code"] == "validation_error"
    assert any(e["field"].startswith("第") and "未知账号" in e["message"] for e in body["errors"])
    good = result_bytes(batch)
    first = client.post(
        f"/api/withholding/{batch.pk}/results", {"file": SimpleUploadedFile("r.csv", good)}, **clerk
    )
    second = client.post(
        f"/api/withholding/{batch.pk}/results", {"file": SimpleUploadedFile("r.csv", good)}, **clerk
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] and first.json()["paid_count"] == 2
    assert client.post(f"/api/withholding/{batch.pk}/confirm", **clerk).status_code == 403
    finance = api_client(client, staff[Role.FINANCE])
    confirmed = client.post(f"/api/withholding/{batch.pk}/confirm", **finance).json()
    assert confirmed["status"] == "confirmed"
    created = client.post(
        "/api/withholding",
        {"bank": "农商行", "year": YEAR},
        content_type="application/json",
        **finance,
    )
    assert created.status_code == 422 and "没有可由农商行代扣" in created.json()["message"]
    township = api_client(client, staff[Role.TOWNSHIP_CLERK])
    assert client.get(f"/api/withholding/{batch.pk}/export", **township).status_code == 404


def test_tax_pages_and_api(client, staff, tree):
    PlanFactory()
    person = EnrolmentFactory(village=tree.village_b1, person__name="乙二").person
    dues_generate(acting_user=None, region_code="341125", year=YEAR)
    data = tax_file_bytes([("T1", person.id_number, "乙二", YEAR, "100", DAY)])
    client.force_login(staff[Role.FINANCE])
    bad = data.replace("乙二".encode(), "乙三".encode())
    response = client.post(
        reverse("collection:tax_files"), {"file": SimpleUploadedFile("t.csv", bad)}
    )
    assert (
        response.status_code == 422
        and "姓名“乙三”与登记的“乙二”不一致" in response.content.decode()
    )
    response = client.post(
        reverse("collection:tax_files"), {"file": SimpleUploadedFile("t.csv", data)}
    )
    tax_file = TaxPaymentFile.objects.get()
    assert response.status_code == 302
    detail = client.get(reverse("collection:tax_file_detail", args=[tax_file.pk])).content.decode()
    assert "T1" in detail and "乙二" in detail
    client.post(reverse("collection:tax_file_confirm", args=[tax_file.pk]))
    assert Due.objects.get(person=person).status == DueStatus.CONFIRMED
    # API: same file again → 200 with the same import; township clerk → 404 / 403
    finance = api_client(client, staff[Role.FINANCE])
    again = client.post("/api/tax-files", {"file": SimpleUploadedFile("t.csv", data)}, **finance)
    assert again.status_code == 200 and again.json()["id"] == tax_file.pk
    assert (
        client.get(f"/api/tax-files/{tax_file.pk}", **finance).json()["lines"][0]["voucher_number"]
        == "T1"
    )
    township = api_client(client, staff[Role.TOWNSHIP_CLERK])
    assert client.get(f"/api/tax-files/{tax_file.pk}", **township).status_code == 404
    assert client.get("/api/tax-files", **township).json() == []
    assert (
        client.post(
            "/api/tax-files", {"file": SimpleUploadedFile("t.csv", data)}, **township
        ).status_code
        == 403
    )
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    assert client.get(reverse("collection:tax_file_detail", args=[tax_file.pk])).status_code == 404
    other = StaffFactory(role=Role.FINANCE, region=tree.township_b)
    client.force_login(other)
    assert client.get(reverse("collection:tax_file_detail", args=[tax_file.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="collection.tax_file.confirm").count() == 1


def test_generate_dues_and_batch_commands(tree, staff, tmp_path, capsys):
    from django.core.management import call_command

    PlanFactory()
    EnrolmentFactory(
        village=tree.village_a1, person__passbook_number="6228001", person__passbook_bank="农商行"
    )
    call_command("generate_dues", county="341125", year=YEAR, no_progress=True)
    assert "新生成个人缴费 1 条" in capsys.readouterr().out
    call_command("withholding_batch", county="341125", bank="农商行", year=YEAR, out=tmp_path)
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    batch = WithholdingBatch.objects.get()
    result = tmp_path / "result.csv"
    result.write_bytes(result_bytes(batch))
    call_command("withholding_result", str(result), batch=batch.pk)
    call_command("withholding_result", str(result), batch=batch.pk)
    out = capsys.readouterr().out
    assert "扣款成功 1 笔" in out and "没有重复导入" in out
    assert Due.objects.get().status == DueStatus.PAID
    assert Decimal(Due.objects.get().paid_amount) == Decimal("100.00")


def test_list_pages_query_counts_do_not_grow_with_rows(
    client, staff, tree, django_assert_max_num_queries
):
    PlanFactory()
    EnrolmentFactory(
        village=tree.village_a1, person__passbook_number="6228001", person__passbook_bank="农商行"
    )
    dues_generate(acting_user=None, region_code="341125", year=YEAR)
    client.force_login(staff[Role.COUNTY_CLERK])
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("contributions:dues"))
    for i in range(20):
        EnrolmentFactory(
            village=tree.village_b1,
            person__passbook_number=f"62290{i}",
            person__passbook_bank="农商行",
        )
    dues_generate(acting_user=None, region_code="341125", year=YEAR)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("contributions:dues")).content.decode()
    assert "共 21 条" in page
    batch = services.batch_create(acting_user=None, region_code="341125", bank="农商行", year=YEAR)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("collection:batch_detail", args=[batch.pk]))


def test_generate_form_sent_twice_while_queued_starts_one_job(client, staff, tree):
    PlanFactory()
    client.force_login(staff[Role.COUNTY_CLERK])
    first = client.post(reverse("contributions:dues_generate"), {"year": YEAR})
    second = client.post(reverse("contributions:dues_generate"), {"year": YEAR})
    assert first["Location"] == second["Location"]
    assert JobRun.objects.filter(kind="pension.dues.generate").count() == 1
