"""The issue's browser test: a village assistant issues a cash receipt from the book they hold
against a person's open due, and the township clerk sees it in that day's reconciliation; the
clerk cannot open a receipt book or a reconciliation of the other township.

The data is made the way the county makes it: the national default plan, paying enrolments with
a grade, the dues job, and a receipt book registered by county finance and handed down the
chain (finance → township finance office → township labour office → village assistant)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from jumin.collection.models import Channel, Due, DueKind, DueStatus, Receipt
from jumin.collection.services import receipts as services
from jumin.collection.services.reconciliation import reconciliation_compute
from jumin.core.models import AuditEntry, Role
from jumin.pension.models import Enrolment, EnrolmentStatus, GradeChoice
from jumin.pension.services.dues import dues_generate
from jumin.pension.services.plans import plan_data_from_file, plan_seed
from jumin.testing.factories import PersonFactory, StaffFactory
from tests.browser.pages import log_in, requests_elsewhere

pytestmark = pytest.mark.browser

GRADE = Decimal("300.00")


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A browser set to Chinese, as the county's are: Django then answers in zh-hans, whose
    date format must not leak into ``<input type=date>`` (the browser would show it empty)."""
    return {**browser_context_args, "locale": "zh-CN"}


def enrol(village, assistant, year: int, name: str):
    """A paying enrollee of ``village`` who chose the 300-yuan grade for ``year``."""
    person = PersonFactory(village=village, name=name)
    Enrolment.objects.create(
        person=person,
        village=village,
        status=EnrolmentStatus.PAYING,
        applied_by=assistant,
        registered_on=datetime.date(year - 1, 6, 1),
    )
    GradeChoice.objects.create(
        person=person, village=village, year=year, amount=GRADE, chosen_by=assistant
    )
    return person


def hand_down(book, chain):
    for giver, receiver in zip(chain, chain[1:], strict=False):
        services.book_handover(acting_user=giver, book=book, receiver=receiver)
    book.refresh_from_db()
    return book


@pytest.fixture
def year():
    """The dues are of the current year: the 开票 form proposes it."""
    return timezone.localdate().year


@pytest.fixture
def county(tree, staff, year):
    """Plan, one enrollee in each township with an open due, one book held in each village."""
    plan_seed(actor=None, year=year, region_code="340000000000", data=plan_data_from_file())
    finance = staff[Role.FINANCE]
    assistant_a = staff[Role.VILLAGE_ASSISTANT]
    assistant_b = StaffFactory(role=Role.VILLAGE_ASSISTANT, region=tree.village_b1)
    own = enrol(tree.village_a1, assistant_a, year, "赵桂兰")
    other = enrol(tree.village_b1, assistant_b, year, "钱淑珍")
    dues_generate(acting_user=staff[Role.COUNTY_CLERK], region_code="341125", year=year)

    book_a = services.book_register(
        acting_user=finance, series="皖财农保A", first_number=1001, last_number=1050
    )
    hand_down(
        book_a,
        [
            finance,
            StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_a),  # 财政所
            staff[Role.TOWNSHIP_CLERK],  # 劳保所
            assistant_a,
        ],
    )
    book_b = services.book_register(
        acting_user=finance, series="皖财农保B", first_number=2001, last_number=2050
    )
    hand_down(
        book_b,
        [
            finance,
            StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b),
            StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b),
            assistant_b,
        ],
    )
    # The other township's village issues a receipt the same day, and its month is computed.
    other_receipt = services.receipt_issue(
        acting_user=assistant_b,
        book=book_b,
        number=2001,
        due=Due.objects.get(person=other, kind=DueKind.PERSONAL),
        amount=GRADE,
        payer_name="钱淑珍",
    )
    other_month = reconciliation_compute(
        finance, tree.township_b, timezone.localdate().strftime("%Y-%m")
    )
    return {
        "own": own,
        "own_due": Due.objects.get(person=own, kind=DueKind.PERSONAL, year=year),
        "book_a": book_a,
        "book_b": book_b,
        "other_receipt": other_receipt,
        "other_month": other_month,
    }


def test_assistant_issues_receipt_and_clerk_sees_it_in_todays_reconciliation(
    page: Page, live_server, staff, county, year
):
    assistant = staff[Role.VILLAGE_ASSISTANT]
    own, due, book = county["own"], county["own_due"], county["book_a"]
    assert (due.status, due.amount) == (DueStatus.OPEN, GRADE)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    # The village assistant opens the book they hold from the menu.
    log_in(page, assistant)
    page.locator("nav").get_by_role("link", name="票据管理").click()
    page.get_by_role("link", name=book.series).click()
    expect(page).to_have_url(f"{live_server.url}/collection/receipt-books/{book.pk}/")
    expect(page.locator("dl.facts")).to_contain_text(str(assistant))
    expect(page.locator("body")).to_contain_text("还没有开票")

    # 开票: ID number → the person's open due → the next number is prefilled → submit.
    page.get_by_role("link", name="开票", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/collection/receipt-books/{book.pk}/issue/")
    expect(page.get_by_label("缴费年度")).to_have_value(str(year))
    page.get_by_label("缴费人身份证号").fill(own.id_number)
    page.get_by_role("button", name="查找缴费人").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("赵桂兰")
    page.get_by_label(re.compile(rf"{year}年 个人缴费 应缴300\.00元")).check()
    expect(page.get_by_label("票号")).to_have_value("1001")
    expect(page.get_by_label("金额（元）")).to_have_value("300.00")
    expect(page.get_by_label("交款人")).to_have_value("赵桂兰")
    expect(page.get_by_label("开票日期")).to_have_value(timezone.localdate().isoformat())
    page.get_by_role("button", name="开票", exact=True).click()

    # Back on the book page: the message and the receipt in the list of used numbers.
    expect(page).to_have_url(f"{live_server.url}/collection/receipt-books/{book.pk}/")
    expect(page.locator(".messages")).to_contain_text("已开票 皖财农保A-1001")
    used = page.locator("table").filter(has_text="票号").last
    row = used.locator("tbody tr").filter(has_text="1001")
    expect(row).to_contain_text("赵桂兰")
    expect(row).to_contain_text("300.00")
    expect(row).to_contain_text("未缴存")

    receipt = Receipt.objects.get(book=book, number=1001)
    due.refresh_from_db()
    assert (due.status, due.channel, due.paid_amount) == (DueStatus.PAID, Channel.CASH, GRADE)
    assert due.payment_reference == receipt.reference == "皖财农保A-1001"
    assert (receipt.due_id, receipt.issued_by_id) == (due.pk, assistant.pk)
    assert AuditEntry.objects.filter(actor=assistant, object_id=str(receipt.pk)).exists()

    # The township clerk opens 对账 (today's receipts by default) and sees that receipt.
    page.context.clear_cookies()
    log_in(page, staff[Role.TOWNSHIP_CLERK])
    page.locator("nav").get_by_role("link", name="对账").click()
    expect(page).to_have_url(f"{live_server.url}/collection/reconciliations/")
    day = page.locator("#day")
    expect(day.get_by_role("heading", level=2)).to_have_text("今天开出的票据")
    expect(day).to_contain_text("共 1 张，合计 300.00 元")
    seen = page.locator("#day-receipts tbody tr")
    expect(seen).to_have_count(1)
    for text in ("皖财农保A-1001", "赵桂兰", "300.00", str(assistant), "未缴存"):
        expect(seen).to_contain_text(text)
    expect(page.locator("#day-receipts")).not_to_contain_text("钱淑珍")  # other township
    expect(page.locator("#day-receipts")).not_to_contain_text("皖财农保B")

    page.wait_for_load_state("networkidle")
    assert requests_elsewhere(requests, live_server.url) == []


def test_clerk_cannot_open_book_or_reconciliation_of_other_township(
    page: Page, live_server, staff, county
):
    clerk = staff[Role.TOWNSHIP_CLERK]
    other_book, other_month = county["book_b"], county["other_month"]
    log_in(page, clerk)

    page.goto("/collection/receipt-books/")
    expect(page.locator("body")).to_contain_text("皖财农保A")
    expect(page.locator("body")).not_to_contain_text("皖财农保B")

    for path in (
        f"/collection/receipt-books/{other_book.pk}/",
        f"/collection/receipt-books/{other_book.pk}/issue/",
        f"/collection/reconciliations/{other_month.pk}/",
        f"/collection/receipts/{county['other_receipt'].pk}/void/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_contain_text("找不到")
        expect(page.locator("body")).not_to_contain_text("皖财农保B")
        expect(page.locator("body")).not_to_contain_text("钱淑珍")

    # Asking for the other township's day by its code shows nothing of it either.
    page.goto(f"/collection/reconciliations/?region={other_month.region_id}")
    expect(page.locator("#day-receipts")).not_to_contain_text("钱淑珍")
    expect(page.locator("#months")).not_to_contain_text(other_month.region.name)
