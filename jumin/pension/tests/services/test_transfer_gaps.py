"""Transfers: the deadlines count working days in the holiday calendar (the country's seeded
2026 days, a county's own days), and a transfer is cancelled before its money moves (service,
page, API; audited; refused once sent; 404 out of scope)."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, RegionLevel, Role
from jumin.pension.models import Holiday, TransferStatus
from jumin.pension.services import calendar
from jumin.pension.services import transfers as services
from jumin.pension.tests.factories import AccountEntryFactory, EnrolmentFactory
from jumin.pension.tests.web.test_interest_pages import bearer
from jumin.testing.factories import RegionFactory, StaffFactory

pytestmark = pytest.mark.django_db
GOLDEN_WEEK_EVE = datetime.date(2026, 9, 28)  # a Monday before the National Day holidays


@pytest.fixture
def other(tree):
    county = RegionFactory(
        code="341126000000", name="凤阳县", level=RegionLevel.COUNTY, parent=tree.city
    )
    township = RegionFactory(
        code="341126100000", name="府城镇", level=RegionLevel.TOWNSHIP, parent=county
    )
    village = RegionFactory(
        code="341126100001", name="府城村", level=RegionLevel.VILLAGE, parent=township
    )
    return {"village": village, "admin": StaffFactory(role=Role.COUNTY_ADMIN, region=county)}


def contributor(tree):
    person = EnrolmentFactory(village=tree.village_a1).person
    AccountEntryFactory(
        person=person, year=2025, amount=Decimal("500"), booked_on=datetime.date(2025, 4, 1)
    )
    return person


def request(tree, other, on=GOLDEN_WEEK_EVE):
    return services.transfer_request(
        acting_user=other["admin"],
        person=contributor(tree),
        to_village_code=other["village"].code,
        on=on,
    )


def test_the_2026_national_holidays_are_seeded():
    days = Holiday.objects.filter(region_code="", day__year=2026)
    assert days.filter(workday=False).count() == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert set(days.filter(workday=True).values_list("day", flat=True)) == {
        datetime.date(2026, 1, 4),
        datetime.date(2026, 2, 14),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 5, 9),
        datetime.date(2026, 9, 20),
        datetime.date(2026, 10, 10),
    }


def test_deadline_skips_the_national_day_and_counts_the_make_up_saturday(tree, other):
    # 29, 30 Sep; 1–7 Oct off; 8, 9, Saturday 10 (make-up), 12–16, 19–23 October
    transfer = request(tree, other)
    assert transfer.due_on == datetime.date(2026, 10, 23)
    assert calendar.working_days_after("341126100001", GOLDEN_WEEK_EVE, 15) == datetime.date(
        2026, 10, 23
    )


def test_a_county_holiday_moves_only_that_countys_deadlines(tree, staff, other):
    on = datetime.date(2026, 11, 2)  # a Monday: 15 working days → 23 November
    assert calendar.working_days_after(tree.village_a1.code, on, 15) == datetime.date(2026, 11, 23)
    with pytest.raises(PermissionDeniedForRole):
        calendar.holiday_save(
            acting_user=staff[Role.COUNTY_CLERK], day=datetime.date(2026, 11, 5), name="县庆"
        )
    row, created = calendar.holiday_save(
        acting_user=staff[Role.COUNTY_ADMIN], day=datetime.date(2026, 11, 5), name="县庆"
    )
    assert created and row.region_code == "341125000000"
    again, created = calendar.holiday_save(
        acting_user=staff[Role.COUNTY_ADMIN], day=datetime.date(2026, 11, 5), name="县庆日"
    )
    assert again.pk == row.pk and not created and again.name == "县庆日"
    assert calendar.working_days_after(tree.village_a1.code, on, 15) == datetime.date(2026, 11, 24)
    assert calendar.working_days_after(other["village"].code, on, 15) == datetime.date(2026, 11, 23)
    with pytest.raises(ValidationError, match="名称"):
        calendar.holiday_save(
            acting_user=staff[Role.COUNTY_ADMIN], day=datetime.date(2026, 11, 6), name=" "
        )
    # another county's administrator cannot delete it; its own can
    with pytest.raises(ValidationError, match="本县"):
        calendar.holiday_delete(acting_user=other["admin"], pk=row.pk)
    calendar.holiday_delete(acting_user=staff[Role.COUNTY_ADMIN], pk=row.pk)
    assert calendar.working_days_after(tree.village_a1.code, on, 15) == datetime.date(2026, 11, 23)
    assert AuditEntry.objects.filter(action__startswith="pension.holiday.").count() == 3


def test_cancel_before_the_money_moves(tree, staff, other):
    transfer = request(tree, other)
    sending = staff[Role.COUNTY_CLERK]
    with pytest.raises(ValidationError, match="撤销原因"):
        services.transfer_cancel(acting_user=sending, transfer=transfer, reason="  ")
    outsider = StaffFactory(role=Role.COUNTY_ADMIN, region=RegionFactory(
        code="341127000000", name="明光市", level=RegionLevel.COUNTY, parent=tree.city
    ))  # fmt: skip
    with pytest.raises(Http404):
        services.transfer_cancel(acting_user=outsider, transfer=transfer, reason="误登记")
    with pytest.raises(PermissionDeniedForRole):
        services.transfer_cancel(
            acting_user=staff[Role.VILLAGE_ASSISTANT], transfer=transfer, reason="误登记"
        )
    services.transfer_advance(acting_user=other["admin"], transfer=transfer, on=GOLDEN_WEEK_EVE)
    transfer = services.transfer_cancel(
        acting_user=sending, transfer=transfer, reason="本人不再迁出"
    )
    assert (transfer.status, transfer.reason, transfer.due_on) == (
        TransferStatus.CANCELLED,
        "本人不再迁出",
        None,
    )
    entry = AuditEntry.objects.get(action="pension.transfer.cancel")
    assert entry.reason == "本人不再迁出"
    # again: nothing changes; advancing is refused; the person may ask anew
    services.transfer_cancel(acting_user=sending, transfer=transfer, reason="再撤一次")
    assert AuditEntry.objects.filter(action="pension.transfer.cancel").count() == 1
    with pytest.raises(ValidationError, match="不能再办理"):
        services.transfer_advance(acting_user=other["admin"], transfer=transfer)
    again = services.transfer_request(
        acting_user=other["admin"],
        person=transfer.person,
        to_village_code=other["village"].code,
        on=GOLDEN_WEEK_EVE,
    )
    assert again.status == TransferStatus.REQUESTED


def test_no_cancel_once_sent(tree, staff, other):
    transfer = request(tree, other)
    services.transfer_advance(acting_user=other["admin"], transfer=transfer, on=GOLDEN_WEEK_EVE)
    services.transfer_advance(
        acting_user=staff[Role.COUNTY_CLERK], transfer=transfer, on=GOLDEN_WEEK_EVE
    )
    with pytest.raises(ValidationError, match="资金已转出"):
        services.transfer_cancel(acting_user=other["admin"], transfer=transfer, reason="误登记")


def test_cancel_through_the_page_and_the_api(client, tree, staff, other):
    first = request(tree, other)
    clerk = staff[Role.COUNTY_CLERK]
    client.force_login(clerk)
    detail = client.get(reverse("pension:transfer_detail", args=[first.pk])).content.decode()
    assert reverse("pension:transfer_cancel", args=[first.pk]) in detail
    answer = client.post(reverse("pension:transfer_cancel", args=[first.pk]), {"reason": "误登记"})
    assert answer.status_code == 302
    first.refresh_from_db()
    assert first.status == TransferStatus.CANCELLED
    detail = client.get(reverse("pension:transfer_detail", args=[first.pk])).content.decode()
    assert "误登记" in detail
    assert reverse("pension:transfer_cancel", args=[first.pk]) not in detail
    second = services.transfer_request(
        acting_user=other["admin"],
        person=first.person,
        to_village_code=other["village"].code,
        on=GOLDEN_WEEK_EVE,
    )
    url = f"/api/transfers/{second.pk}/cancel"
    outsider = StaffFactory(role=Role.COUNTY_CLERK, region=tree.township_b)
    refused = client.post(
        url, json.dumps({"reason": "x"}), content_type="application/json", **bearer(outsider)
    )
    assert refused.status_code == 404
    empty = client.post(
        url, json.dumps({"reason": ""}), content_type="application/json", **bearer(clerk)
    )
    assert empty.status_code == 422
    body = client.post(
        url, json.dumps({"reason": "重复登记"}), content_type="application/json", **bearer(clerk)
    ).json()
    assert body["status"] == "cancelled" and body["reason"] == "重复登记"


def test_the_holidays_page(client, staff):
    admin = staff[Role.COUNTY_ADMIN]
    client.force_login(admin)
    page = client.get(reverse("pension:holidays"), {"year": 2026}).content.decode()
    assert "国庆节" in page and "调休上班" in page
    answer = client.post(
        reverse("pension:holidays"), {"day": "2027-01-01", "name": "元旦", "workday": ""}
    )
    assert answer.status_code == 302
    page = client.get(reverse("pension:holidays"), {"year": 2027}).content.decode()
    assert "元旦" in page and "本县" in page
    bad = client.post(reverse("pension:holidays"), {"day": "2027-13-01", "name": "x"})
    assert bad.status_code == 200 and "日期" in bad.content.decode()
    client.force_login(staff[Role.COUNTY_CLERK])
    assert client.get(reverse("pension:holidays")).status_code == 403
