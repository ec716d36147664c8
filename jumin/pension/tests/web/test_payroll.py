"""The payroll, certification, death and recovery pages: per role, out of scope 404, and a
month from the build to the bank's answer through the pages."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from jumin.core.models import RegionLevel, Role
from jumin.pension.models import (
    AwardStatus,
    Certification,
    DeathReport,
    DeathStatus,
    Payroll,
    PayrollStatus,
    Recovery,
)
from jumin.pension.services import payroll as services
from jumin.pension.tests.factories import AccountEntryFactory, AwardFactory, BenefitStandardFactory
from jumin.pension.tests.paying import bank_answer, pay_month
from jumin.people.tests.rosters import IMMEDIATE
from jumin.testing.factories import RegionFactory, StaffFactory

pytestmark = pytest.mark.django_db
COUNTY_ROLES = (Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.FINANCE, Role.AUDITOR, Role.LEADER)


@pytest.fixture
def awards(tree):
    BenefitStandardFactory(region=tree.province)
    return {
        "a1": AwardFactory(village=tree.village_a1),
        "b1": AwardFactory(village=tree.village_b1),
    }


@pytest.fixture
def other_county(tree):
    county = RegionFactory(
        code="341126000000", name="凤阳县", level=RegionLevel.COUNTY, parent=tree.county.parent
    )
    return county


@pytest.mark.parametrize("role", list(Role))
def test_payroll_pages_per_role(client, tree, staff, awards, role):
    payroll = pay_month(tree.county, datetime.date(2026, 1, 1))
    client.force_login(staff[role])
    listing = client.get(reverse("pension:payrolls"))
    detail = client.get(reverse("pension:payroll_detail", args=[payroll.pk]))
    if role in COUNTY_ROLES:
        assert listing.status_code == 200 and "2026-01" in listing.content.decode()
        assert detail.status_code == 200
        assert "460.42" in detail.content.decode()
    else:
        assert listing.status_code == 403
        assert detail.status_code == 403


def test_another_countys_payroll_is_404(client, tree, staff, awards, other_county):
    payroll = Payroll.objects.create(region=other_county, month=datetime.date(2026, 1, 1))
    for role in COUNTY_ROLES:
        client.force_login(staff[role])
        assert client.get(reverse("pension:payroll_detail", args=[payroll.pk])).status_code == 404
        assert client.get(f"/api/payrolls/{payroll.pk}").status_code in (401, 404)


def test_a_month_through_the_pages(
    client, tree, staff, awards, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    clerk, finance = staff[Role.COUNTY_CLERK], staff[Role.FINANCE]
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pension:payrolls"), {"month": "2026-01"})
    assert response.status_code == 302
    payroll = Payroll.objects.get()
    assert payroll.built_by == clerk and payroll.line_count == 2
    page = client.get(reverse("pension:payroll_detail", args=[payroll.pk])).content.decode()
    assert "双人复核" in page
    assert client.post(reverse("pension:payroll_approve", args=[payroll.pk])).status_code == 403
    client.force_login(finance)
    client.post(reverse("pension:payroll_approve", args=[payroll.pk]))
    payroll.refresh_from_db()
    assert payroll.status == PayrollStatus.APPROVED and payroll.approved_by == finance
    exported = client.post(reverse("pension:payroll_export", args=[payroll.pk]))
    data = b"".join(exported.streaming_content) if exported.streaming else exported.content
    assert data.startswith(b"JUMIN-PAY,1,341125-202601,2,460.42")
    bad = io.BytesIO(bank_answer(data).replace(b",460.42,", b",460.00,", 1))
    bad.name = "result.csv"
    response = client.post(
        reverse("pension:payroll_result", args=[payroll.pk]), {"file": bad}, follow=True
    )
    assert "金额合计不符" in response.content.decode()
    payroll.refresh_from_db()
    assert payroll.status == PayrollStatus.EXPORTED
    good = io.BytesIO(bank_answer(data))
    good.name = "result.csv"
    client.post(reverse("pension:payroll_result", args=[payroll.pk]), {"file": good})
    payroll.refresh_from_db()
    assert payroll.status == PayrollStatus.PAID
    finance_sheet = client.get(reverse("pension:payroll_finance", args=[payroll.pk]))
    assert finance_sheet.status_code == 200
    assert finance_sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    client.post(reverse("pension:payroll_close", args=[payroll.pk]))
    payroll.refresh_from_db()
    assert payroll.status == PayrollStatus.CLOSED
    # a second build of a paid month: refused with a message, nothing changes
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pension:payrolls"), {"month": "2026-01"})
    assert Payroll.objects.count() == 1
    listing = client.get(reverse("pension:payrolls")).content.decode()
    assert "已经发放" in listing  # the failed job says why


def test_a_township_clerk_reports_a_death_in_scope_only(client, tree, staff, awards):
    clerk = staff[Role.TOWNSHIP_CLERK]  # township A
    client.force_login(clerk)
    outside = awards["b1"].person
    response = client.post(
        reverse("pension:deaths"),
        {"id_number": outside.id_number, "death_date": "2026-03-10", "proof": "证明"},
    )
    assert response.status_code == 200
    assert "本辖区没有这个身份证号" in response.content.decode()
    inside = awards["a1"].person
    response = client.post(
        reverse("pension:deaths"),
        {"id_number": inside.id_number, "death_date": "2025-06-10", "proof": "证明"},
    )
    assert "早于待遇起始月" in response.content.decode()
    response = client.post(
        reverse("pension:deaths"),
        {"id_number": inside.id_number, "death_date": "2026-03-10", "proof": "死亡医学证明"},
    )
    assert response.status_code == 302
    awards["a1"].refresh_from_db()
    assert awards["a1"].status == AwardStatus.ENDED
    assert DeathReport.objects.get().status == DeathStatus.CONFIRMED


def test_an_imported_list_becomes_reports_to_review(client, tree, staff, awards):
    person = awards["a1"].person
    csv = (
        "身份证号,姓名,死亡日期\n"
        f"{person.id_number},{person.name},2026-02-03\n"
        "123,某人,2026-01-01\n"
        f"{awards['b1'].person.id_number},{awards['b1'].person.name},明天\n"
    ).encode()
    upload = io.BytesIO(csv)
    upload.name = "公安.csv"
    client.force_login(staff[Role.COUNTY_CLERK])
    response = client.post(
        reverse("pension:death_import"), {"source": "public_security", "file": upload}, follow=True
    )
    text = response.content.decode()
    assert "1人待核实" in text
    assert "第3行 身份证号" in text and "第4行 死亡日期" in text
    report = DeathReport.objects.get()
    assert report.status == DeathStatus.PENDING
    client.post(reverse("pension:death_confirm", args=[report.pk]))
    awards["a1"].refresh_from_db()
    assert awards["a1"].status == AwardStatus.ENDED


def test_certification_pages(client, tree, staff, awards):
    assistant = staff[Role.VILLAGE_ASSISTANT]
    client.force_login(assistant)
    due = client.get(reverse("pension:certifications_due"))
    assert due.status_code == 200
    text = due.content.decode()
    assert awards["a1"].person.name in text and awards["b1"].person.name not in text
    response = client.post(
        reverse("pension:certifications"),
        {"id_number": awards["a1"].person.id_number, "certified_on": "2026-11-20", "channel": "06"},
    )
    assert "上门认证须上传照片" in response.content.decode()
    response = client.post(
        reverse("pension:certifications"),
        {"id_number": awards["a1"].person.id_number, "certified_on": "2026-11-20", "channel": "01"},
    )
    assert response.status_code == 302
    certification = Certification.objects.get()
    assert certification.next_due_on == datetime.date(2027, 11, 20)
    sheet = client.get(reverse("pension:certifications_due") + "?format=xlsx")
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")


def test_recovery_pages_pay_the_heir(client, tree, staff, awards):
    award = awards["a1"]
    AccountEntryFactory(person=award.person, year=2025, amount=Decimal("9342.00"))
    for n in (1, 2, 3):
        pay_month(tree.county, datetime.date(2026, n, 1))
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    client.post(
        reverse("pension:deaths"),
        {"id_number": award.person.id_number, "death_date": "2026-01-15", "proof": "证明"},
    )
    recovery = Recovery.objects.get()
    assert recovery.overpaid == Decimal("460.42")
    client.force_login(staff[Role.FINANCE])
    page = client.get(reverse("pension:recovery_detail", args=[recovery.pk]))
    assert "460.42" in page.content.decode()
    client.post(
        reverse("pension:recovery_inherit", args=[recovery.pk]),
        {"heir_name": "王小明", "heir_id_number": "11010519491231002X"},
    )
    recovery.refresh_from_db()
    assert recovery.outstanding == Decimal("0.00")
    assert recovery.inherited == Decimal("9342.00") - Decimal("67.21") - Decimal("326.00")
    # a township B clerk cannot see it
    outsider = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    client.force_login(outsider)
    assert client.get(reverse("pension:recovery_detail", args=[recovery.pk])).status_code == 404
    assert services  # the service module the pages call


def test_the_payroll_page_costs_the_same_queries_for_more_pensioners(client, tree, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    BenefitStandardFactory(region=tree.province)
    client.force_login(staff[Role.COUNTY_ADMIN])

    def queries_for_page(extra, first_month):
        """``extra`` pensioners paid in one month, ``extra`` more new in the next."""
        AwardFactory.create_batch(extra, village=tree.village_a1)
        pay_month(tree.county, datetime.date(2026, first_month, 1))
        AwardFactory.create_batch(extra, village=tree.village_b1)
        payroll = services.payroll_build(
            acting_user=None,
            region_code=tree.county.code,
            month=datetime.date(2026, first_month + 1, 1),
        )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("pension:payroll_detail", args=[payroll.pk]))
        assert response.status_code == 200
        return len(captured)

    assert queries_for_page(2, 1) == queries_for_page(20, 3)


def test_an_approval_after_the_15th_is_allowed_and_shown_late(
    client, tree, staff, awards, time_machine
):
    payroll = services.payroll_build(
        acting_user=None, region_code=tree.county.code, month=datetime.date(2026, 1, 1)
    )
    time_machine.move_to(datetime.datetime(2026, 1, 20, 10, 0))
    payroll = services.payroll_approve(acting_user=staff[Role.FINANCE], payroll=payroll)
    assert payroll.status == PayrollStatus.APPROVED
    client.force_login(staff[Role.FINANCE])
    page = client.get(reverse("pension:payroll_detail", args=[payroll.pk])).content.decode()
    assert "逾期审核（2026-01-20审核）" in page
