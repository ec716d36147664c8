import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from jumin.collection.models import (
    BookStatus,
    Channel,
    DueKind,
    DueStatus,
    ReceiptHandover,
    ReceiptStatus,
)
from jumin.collection.queries import receipts as queries
from jumin.collection.services import deposits
from jumin.collection.services import receipts as services
from jumin.collection.tests import receipt_testing
from jumin.collection.tests.receipt_testing import hand_down, issue, record, register
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role
from jumin.pension.tests.factories import PensionDueFactory
from jumin.testing.factories import PersonFactory, StaffFactory

MARCH_10 = datetime.date(2026, 3, 10)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

chain = receipt_testing.chain  # fixtures
plan = receipt_testing.plan


def test_whole_life_register_handover_issue_void_lost_write_off(tree, chain, staff, plan):
    book = register(chain["finance"])
    assert book.status == BookStatus.IN_STOCK
    book = hand_down(book, chain)
    assert book.holder == chain["assistant"]
    assert book.holder_region_id == tree.village_a1.code
    assert book.status == BookStatus.IN_USE
    handovers = list(ReceiptHandover.objects.filter(book=book).order_by("pk"))
    assert [h.receiver for h in handovers] == [
        chain["township_finance"],
        chain["labour_office"],
        chain["assistant"],
    ]
    due = PensionDueFactory(plan=plan, person__village=tree.village_a1)
    receipt = issue(book, chain["assistant"], due, number=1, on=MARCH_10)
    assert receipt.amount == Decimal("200.00")
    services.receipt_void(acting_user=chain["assistant"], receipt=receipt, reason="写错金额")
    kept = issue(book, chain["assistant"], due, number=2, on=MARCH_10)
    services.receipt_report_lost(
        acting_user=chain["assistant"], book=book, number=3, reason="被雨淋毁"
    )
    listed = queries.book_get(chain["finance"], book.pk)
    assert (listed.issued, listed.voided, listed.lost, listed.unused) == (1, 1, 1, 0)
    # every number used, but the cash is not county-checked yet
    with pytest.raises(ValidationError, match="县财务核对"):
        services.book_write_off(acting_user=chain["finance"], book=book)
    deposit = record(chain["assistant"], tree.village_a1, [kept])
    deposits.deposit_check_township(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit)
    with pytest.raises(ValidationError, match="县财务核对"):
        services.book_write_off(acting_user=chain["finance"], book=book)
    deposits.deposit_check_county(acting_user=chain["finance"], deposit=deposit)
    book.refresh_from_db()
    assert book.money_deposited
    services.book_write_off(acting_user=chain["finance"], book=book)
    book.refresh_from_db()
    assert book.status == BookStatus.WRITTEN_OFF
    assert AuditEntry.objects.filter(action="collection.receipt_book.write_off").count() == 1
    # a second write-off changes nothing
    services.book_write_off(acting_user=chain["finance"], book=book)
    assert AuditEntry.objects.filter(action="collection.receipt_book.write_off").count() == 1


def test_issue_pays_the_due_in_the_same_act(tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    due = PensionDueFactory(plan=plan, person__village=tree.village_a1, amount="300.00")
    receipt = issue(book, chain["assistant"], due, number=2, on=MARCH_10)
    due.refresh_from_db()
    assert (due.status, due.channel, due.paid_amount, due.paid_on, due.payment_reference) == (
        DueStatus.PAID,
        Channel.CASH,
        Decimal("300.00"),
        MARCH_10,
        "皖A-2",
    )
    assert receipt.due == due
    assert receipt.payer_name == due.person.name
    assert receipt.contribution_year == 2026
    assert receipt.region_id == tree.village_a1.code
    entry = AuditEntry.objects.get(action="collection.receipt.issue")
    assert entry.after["due"] == due.pk and entry.after["amount"] == "300.00"


def test_payer_name_as_written(tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    receipt = issue(
        book,
        chain["assistant"],
        PensionDueFactory(plan=plan, person__village=tree.village_a1),
        payer_name=" 张三（代交） ",
    )
    assert receipt.payer_name == "张三（代交）"


def test_void_returns_the_due_to_open(tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    due = PensionDueFactory(plan=plan, person__village=tree.village_a1)
    receipt = issue(book, chain["assistant"], due)
    services.receipt_void(acting_user=chain["assistant"], receipt=receipt, reason="填错")
    due.refresh_from_db()
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.VOIDED
    assert (due.status, due.channel, due.paid_amount, due.paid_on, due.payment_reference) == (
        DueStatus.OPEN,
        "",
        None,
        None,
        "",
    )
    # voiding again changes nothing; the due can be paid with the next number
    services.receipt_void(acting_user=chain["assistant"], receipt=receipt, reason="填错")
    assert AuditEntry.objects.filter(action="collection.receipt.void").count() == 1
    issue(book, chain["assistant"], due, number=2)
    due.refresh_from_db()
    assert due.payment_reference == "皖A-2"


def test_deposited_receipt_cannot_be_voided(tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    receipt = issue(
        book,
        chain["assistant"],
        PensionDueFactory(plan=plan, person__village=tree.village_a1),
        on=MARCH_10,
    )
    record(chain["assistant"], tree.village_a1, [receipt])
    with pytest.raises(ValidationError, match="缴存记录中，不能作废"):
        services.receipt_void(acting_user=chain["assistant"], receipt=receipt, reason="x")


def test_amount_must_equal_the_due(tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    due = PensionDueFactory(plan=plan, person__village=tree.village_a1, amount="500.00")
    with pytest.raises(ValidationError, match="应缴金额500.00元") as error:
        issue(book, chain["assistant"], due, amount="200")
    assert "amount" in error.value.message_dict
    due.refresh_from_db()
    assert due.status == DueStatus.OPEN


def test_paid_due_refused_with_clear_message(tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    due = PensionDueFactory(plan=plan, person__village=tree.village_a1)
    issue(book, chain["assistant"], due, number=1)
    with pytest.raises(ValidationError, match="已缴.*皖A-1.*不能再开票"):
        issue(book, chain["assistant"], due, number=2)


def test_government_paid_due_refused(tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    due = PensionDueFactory(
        plan=plan, person__village=tree.village_a1, kind=DueKind.GOVERNMENT_PAID
    )
    with pytest.raises(ValidationError, match="政府代缴"):
        issue(book, chain["assistant"], due)


def test_back_payment_due_accepted(tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    due = PensionDueFactory(
        plan=plan, person__village=tree.village_a1, kind=DueKind.BACK_PAYMENT, amount="1000"
    )
    assert issue(book, chain["assistant"], due).amount == Decimal("1000.00")


def test_future_issue_date_refused(tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI), tick=False):
        issue(
            book,
            chain["assistant"],
            PensionDueFactory(plan=plan, person__village=tree.village_a1),
            number=1,
            on=MARCH_10,
        )
        with pytest.raises(ValidationError, match="不能晚于今天"):
            issue(
                book,
                chain["assistant"],
                PensionDueFactory(plan=plan, person__village=tree.village_a1),
                number=2,
                on=datetime.date(2026, 3, 12),
            )


def test_write_off_refused_while_numbers_unused(chain):
    book = register(chain["finance"])
    with pytest.raises(ValidationError, match="3个票号未使用"):
        services.book_write_off(acting_user=chain["finance"], book=book)


def test_write_off_of_all_voided_and_lost_needs_no_deposit(tree, chain, plan):
    book = hand_down(register(chain["finance"], 1, 2), chain)
    receipt = issue(
        book, chain["assistant"], PensionDueFactory(plan=plan, person__village=tree.village_a1)
    )
    services.receipt_void(acting_user=chain["assistant"], receipt=receipt, reason="x")
    services.receipt_report_lost(acting_user=chain["assistant"], book=book, number=2, reason="y")
    services.book_write_off(acting_user=chain["finance"], book=book)
    book.refresh_from_db()
    assert book.status == BookStatus.WRITTEN_OFF and book.money_deposited


def test_write_off_only_by_finance(chain, staff):
    book = register(chain["finance"])
    with pytest.raises(PermissionDeniedForRole):
        services.book_write_off(acting_user=staff[Role.COUNTY_ADMIN], book=book)


def test_overlapping_ranges_refused(chain):
    register(chain["finance"], 100, 199)
    with pytest.raises(ValidationError, match="重叠"):
        register(chain["finance"], 150, 250)
    register(chain["finance"], 200, 299)
    register(chain["finance"], 150, 250, series="皖B")


def test_register_retry_returns_same_book(chain):
    assert register(chain["finance"]) == register(chain["finance"])


def test_number_used_once_and_retry_idempotent(tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    due = PensionDueFactory(plan=plan, person__village=tree.village_a1)
    first = issue(book, chain["assistant"], due)
    assert issue(book, chain["assistant"], due) == first
    assert AuditEntry.objects.filter(action="collection.receipt.issue").count() == 1
    other = PensionDueFactory(plan=plan, person__village=tree.village_a1, amount="300.00")
    with pytest.raises(ValidationError, match="票号皖A-1已使用"):
        issue(book, chain["assistant"], other, number=1)


def test_out_of_range_number_refused(tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    with pytest.raises(ValidationError, match="不在本票据本的号段"):
        issue(
            book,
            chain["assistant"],
            PensionDueFactory(plan=plan, person__village=tree.village_a1),
            number=4,
        )


@pytest.mark.parametrize("amount", ["0", "-5", "1.234", "abc"])
def test_bad_amount_names_the_field(tree, chain, plan, amount):
    book = hand_down(register(chain["finance"]), chain)
    with pytest.raises(ValidationError) as error:
        issue(
            book,
            chain["assistant"],
            PensionDueFactory(plan=plan, person__village=tree.village_a1),
            amount=amount,
        )
    assert "amount" in error.value.message_dict


def test_non_holder_cannot_issue(tree, chain, plan):
    book = register(chain["finance"])
    services.book_handover(
        acting_user=chain["finance"], book=book, receiver=chain["township_finance"]
    )
    with pytest.raises(ValidationError, match="当前持有人"):
        issue(
            book,
            chain["labour_office"],
            PensionDueFactory(plan=plan, person__village=tree.village_a1),
        )


def test_payer_outside_holder_scope_refused(tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    with pytest.raises(ValidationError, match="辖区"):
        issue(
            book, chain["assistant"], PensionDueFactory(plan=plan, person__village=tree.village_a2)
        )


def test_handover_sideways_to_other_township_refused(tree, chain):
    book = register(chain["finance"])
    services.book_handover(
        acting_user=chain["finance"], book=book, receiver=chain["township_finance"]
    )
    other = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    with pytest.raises(ValidationError, match="接收人"):
        services.book_handover(acting_user=chain["township_finance"], book=book, receiver=other)


def test_handover_skipping_the_township_refused(chain):
    book = register(chain["finance"])
    with pytest.raises(ValidationError, match="接收人"):
        services.book_handover(acting_user=chain["finance"], book=book, receiver=chain["assistant"])


def test_handover_receivers_are_the_next_in_the_chain(tree, chain, staff):
    other_township = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    receivers = set(queries.handover_receivers(chain["finance"]))
    assert {chain["township_finance"], chain["labour_office"], other_township} <= receivers
    assert chain["assistant"] not in receivers
    assert staff[Role.AUDITOR] not in receivers  # no handover permission
    receivers = set(queries.handover_receivers(chain["township_finance"]))
    assert receivers >= {chain["labour_office"], chain["assistant"], chain["finance"]}
    assert other_township not in receivers


def test_handover_back_upward_to_parent(chain):
    book = register(chain["finance"])
    services.book_handover(
        acting_user=chain["finance"], book=book, receiver=chain["township_finance"]
    )
    services.book_handover(
        acting_user=chain["township_finance"], book=book, receiver=chain["finance"]
    )
    book.refresh_from_db()
    assert book.holder == chain["finance"]


def test_handover_only_by_holder(chain):
    book = register(chain["finance"])
    with pytest.raises(ValidationError, match="当前持有人"):
        services.book_handover(
            acting_user=chain["labour_office"], book=book, receiver=chain["assistant"]
        )


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_only_books_held_in_scope(tree, chain, staff, role):
    held_in_a = hand_down(register(chain["finance"], 1, 3), chain)
    other = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    held_in_b = register(chain["finance"], 4, 6)
    services.book_handover(acting_user=chain["finance"], book=held_in_b, receiver=other)
    user = staff[role]
    visible = {book.pk for book in queries.books_with_counts(user)}
    assert held_in_a.pk in visible
    if user.region_id == tree.county.code:
        assert held_in_b.pk in visible
    else:
        assert held_in_b.pk not in visible
        with pytest.raises(Http404):
            queries.book_get(user, held_in_b.pk)


def test_book_list_is_one_query(chain, django_assert_num_queries):
    for first in (1, 11, 21):
        register(chain["finance"], first, first + 9)
    with django_assert_num_queries(1):
        books = list(queries.books_with_counts(chain["finance"]))
        assert [book.holder.pk for book in books] == [chain["finance"].pk] * 3
        assert [book.unused for book in books] == [10, 10, 10]


def test_used_and_unused_ranges(tree, chain, plan):
    book = hand_down(register(chain["finance"], 1, 10), chain)
    for number in (1, 2, 3, 7):
        issue(
            book,
            chain["assistant"],
            PensionDueFactory(plan=plan, person__village=tree.village_a1),
            number=number,
        )
    (listed,) = queries.with_ranges(queries.books_with_counts(chain["finance"]))
    assert listed.used_ranges == "1–3、7"
    assert listed.unused_ranges == "4–6、8–10"
    assert listed.next_number == 4
    assert queries.ranges([]) == []


def test_book_filters_by_township_and_village(tree, chain):
    in_a1 = hand_down(register(chain["finance"], 1, 3), chain)
    at_county = register(chain["finance"], 4, 6)
    finance = chain["finance"]
    assert [b.pk for b in queries.books_with_counts(finance, village=tree.village_a1.code)] == [
        in_a1.pk
    ]
    assert [b.pk for b in queries.books_with_counts(finance, township=tree.township_a.code)] == [
        in_a1.pk
    ]
    assert at_county.pk in {b.pk for b in queries.books_with_counts(finance)}
    assert not queries.books_with_counts(finance, township=tree.township_b.code).exists()


def test_person_other_village_by_id_number_not_found(tree, chain):
    person = PersonFactory(village=tree.village_a2)
    assert queries.person_for_issue(chain["assistant"], person.id_number) is None
    assert queries.person_for_issue(chain["labour_office"], person.id_number) == person


def deposited_book(tree, chain, staff, plan):
    """A book of two numbers: number 1 issued, deposited and county-checked."""
    book = hand_down(register(chain["finance"], 1, 2), chain)
    first = issue(
        book,
        chain["assistant"],
        PensionDueFactory(plan=plan, person__village=tree.village_a1),
        number=1,
        on=MARCH_10,
    )
    deposit = record(chain["assistant"], tree.village_a1, [first])
    deposits.deposit_check_township(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit)
    deposits.deposit_check_county(acting_user=chain["finance"], deposit=deposit)
    book.refresh_from_db()
    assert book.money_deposited
    return book


def test_issuing_a_receipt_clears_money_deposited(tree, chain, staff, plan):
    book = deposited_book(tree, chain, staff, plan)
    issue(
        book,
        chain["assistant"],
        PensionDueFactory(plan=plan, person__village=tree.village_a1),
        number=2,
        on=MARCH_10,
    )
    book.refresh_from_db()
    assert not book.money_deposited  # the cash of number 2 is not deposited yet


@pytest.mark.django_db(transaction=True)
def test_write_off_refusal_is_recorded_on_the_book(tree, chain, staff, plan):
    """The refusal corrects a book that claimed its cash was all deposited, and that
    correction is committed: the refusal's own error does not roll it back."""
    book = deposited_book(tree, chain, staff, plan)
    issue(
        book,
        chain["assistant"],
        PensionDueFactory(plan=plan, person__village=tree.village_a1),
        number=2,
        on=MARCH_10,
    )
    type(book).objects.filter(pk=book.pk).update(money_deposited=True)  # a stale claim
    with pytest.raises(ValidationError, match="县财务核对"):
        services.book_write_off(acting_user=chain["finance"], book=book)
    book.refresh_from_db()
    assert (book.status, book.money_deposited) == (BookStatus.IN_USE, False)
    assert not AuditEntry.objects.filter(action="collection.receipt_book.write_off").exists()
