import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jumin.collection.models import BookStatus, Deposit, DepositStatus, Receipt
from jumin.collection.queries import deposits as queries_deposits
from jumin.collection.services import deposits
from jumin.collection.services import receipts as services
from jumin.collection.tests import receipt_testing
from jumin.collection.tests.receipt_testing import hand_down, issue, record, register
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role
from jumin.pension.tests.factories import PensionDueFactory
from jumin.testing.factories import StaffFactory

MARCH_10 = datetime.date(2026, 3, 10)

chain = receipt_testing.chain  # fixtures
plan = receipt_testing.plan


@pytest.fixture
def issued(tree, chain, plan):
    """Receipts 1 and 2 in village A1 (200 and 300 yuan), 3 in village A2, all on 10 March."""
    book = hand_down(register(chain["finance"], 1, 5), chain)
    a1 = [
        issue(
            book,
            chain["assistant"],
            PensionDueFactory(plan=plan, person__village=tree.village_a1),
            number=1,
            on=MARCH_10,
        ),
        issue(
            book,
            chain["assistant"],
            PensionDueFactory(plan=plan, person__village=tree.village_a1, amount="300"),
            number=2,
            on=MARCH_10,
        ),
    ]
    # the labour office holds a second book and writes a receipt in village A2
    other = register(chain["finance"], 1, 5, series="皖B")
    for giver, receiver in [("finance", "township_finance"), ("township_finance", "labour_office")]:
        services.book_handover(acting_user=chain[giver], book=other, receiver=chain[receiver])
    a2 = issue(
        other,
        chain["labour_office"],
        PensionDueFactory(plan=plan, person__village=tree.village_a2),
        number=3,
        on=MARCH_10,
    )
    return {"book": book, "a1": a1, "a2": a2}


def test_record_links_the_receipts_and_audits(tree, chain, issued):
    deposit = record(chain["assistant"], tree.village_a1, issued["a1"])
    assert deposit.status == DepositStatus.RECORDED
    assert deposit.amount == Decimal("500.00")
    assert set(Receipt.objects.filter(deposit=deposit).values_list("number", flat=True)) == {1, 2}
    entry = AuditEntry.objects.get(action="collection.deposit.record")
    assert entry.after["receipts"] == ["皖A-1", "皖A-2"]
    assert entry.region_code == tree.village_a1.code


def test_receipt_of_another_village_refused_by_number(tree, chain, issued):
    with pytest.raises(ValidationError, match="票据皖B-3是其他村的票据") as error:
        record(chain["labour_office"], tree.village_a1, [*issued["a1"], issued["a2"]])
    assert "receipt_ids" in error.value.message_dict
    assert not Deposit.objects.exists()
    assert not Receipt.objects.filter(deposit__isnull=False).exists()


def test_receipt_out_of_scope_refused(tree, chain, issued):
    # the assistant of A1 cannot even name A2's receipt
    with pytest.raises(ValidationError, match="不在您的辖区内"):
        record(chain["assistant"], tree.village_a1, [*issued["a1"], issued["a2"]])
    with pytest.raises(Http404):  # a village out of scope does not exist for the assistant
        record(chain["assistant"], tree.village_a2, [issued["a2"]])


def test_wrong_amount_names_both_sums(tree, chain, issued):
    with pytest.raises(ValidationError, match="缴存金额450.00元与所选2张票据合计500.00元不一致"):
        record(chain["assistant"], tree.village_a1, issued["a1"], amount="450")


def test_repeated_submit_returns_the_same_deposit(tree, chain, issued):
    first = record(chain["assistant"], tree.village_a1, issued["a1"])
    again = record(chain["assistant"], tree.village_a1, issued["a1"])
    assert again.pk == first.pk
    assert AuditEntry.objects.filter(action="collection.deposit.record").count() == 1
    with pytest.raises(ValidationError, match="缴款单号S1已经登记过"):
        record(chain["assistant"], tree.village_a1, issued["a1"][:1])


def test_receipt_in_another_deposit_refused(tree, chain, issued):
    record(chain["assistant"], tree.village_a1, issued["a1"][:1], slip="S1")
    with pytest.raises(ValidationError, match="票据皖A-1已在另一笔缴存中"):
        record(chain["assistant"], tree.village_a1, issued["a1"], slip="S2")


def test_voided_receipt_cannot_be_deposited(tree, chain, issued):
    services.receipt_void(acting_user=chain["assistant"], receipt=issued["a1"][0], reason="错")
    with pytest.raises(ValidationError, match="作废"):
        record(chain["assistant"], tree.village_a1, issued["a1"][:1])


def test_deposit_before_the_receipt_date_refused(tree, chain, issued):
    with pytest.raises(ValidationError, match="开票日期晚于缴存日期"):
        record(chain["assistant"], tree.village_a1, issued["a1"], on=datetime.date(2026, 3, 9))


def test_checks_township_then_county(tree, chain, staff, issued):
    deposit = record(chain["assistant"], tree.village_a1, issued["a1"])
    finance = staff[Role.FINANCE]
    with pytest.raises(ValidationError, match="乡镇核对之后"):
        deposits.deposit_check_county(acting_user=finance, deposit=deposit)
    with pytest.raises(PermissionDeniedForRole):
        deposits.deposit_check(acting_user=chain["assistant"], deposit=deposit)
    deposit = deposits.deposit_check(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit)
    assert deposit.status == DepositStatus.TOWNSHIP_CHECKED
    assert deposit.township_checked_by == staff[Role.TOWNSHIP_CLERK]
    # a repeated click changes nothing
    deposits.deposit_check(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit)
    deposit = deposits.deposit_check(acting_user=finance, deposit=deposit)
    assert deposit.status == DepositStatus.COUNTY_CHECKED
    deposits.deposit_check(acting_user=finance, deposit=deposit)
    assert AuditEntry.objects.filter(action="collection.deposit.check_township").count() == 1
    assert AuditEntry.objects.filter(action="collection.deposit.check_county").count() == 1
    with pytest.raises(ValidationError, match="不能退回"):
        deposits.deposit_return(acting_user=finance, deposit=deposit, reason="x")


def test_other_township_cannot_check(tree, chain, issued):
    deposit = record(chain["assistant"], tree.village_a1, issued["a1"])
    clerk_b = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    with pytest.raises(Http404):
        deposits.deposit_check(acting_user=clerk_b, deposit=deposit)
    with pytest.raises(Http404):
        queries_deposits.deposit_get(clerk_b, deposit.pk)


def test_township_return_releases_receipts_and_slip_can_be_recorded_again(
    tree, chain, staff, issued
):
    deposit = record(chain["assistant"], tree.village_a1, issued["a1"], amount=None)
    with pytest.raises(ValidationError, match="原因"):
        deposits.deposit_return(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit, reason="")
    deposit = deposits.deposit_return(
        acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit, reason="缴款单金额看不清"
    )
    assert deposit.status == DepositStatus.RETURNED
    assert deposit.return_reason == "缴款单金额看不清"
    assert not Receipt.objects.filter(deposit=deposit).exists()
    entry = AuditEntry.objects.get(action="collection.deposit.return")
    assert entry.reason == "缴款单金额看不清" and entry.after["released"] == ["皖A-1", "皖A-2"]
    again = record(chain["assistant"], tree.village_a1, issued["a1"])
    assert again.pk == deposit.pk and again.status == DepositStatus.RECORDED
    assert again.return_reason == ""
    assert Receipt.objects.filter(deposit=again).count() == 2


def test_township_checked_returned_only_by_county(tree, chain, staff, issued):
    deposit = record(chain["assistant"], tree.village_a1, issued["a1"])
    deposits.deposit_check(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit)
    with pytest.raises(ValidationError, match="只能由县财务退回"):
        deposits.deposit_return(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit, reason="x")
    deposit = deposits.deposit_return(
        acting_user=staff[Role.FINANCE], deposit=deposit, reason="银行未到账"
    )
    assert deposit.status == DepositStatus.RETURNED


def test_county_check_marks_books_deposited(tree, chain, staff, issued):
    book = issued["book"]
    deposit = record(chain["assistant"], tree.village_a1, issued["a1"])
    deposits.deposit_check(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit)
    deposits.deposit_check(acting_user=staff[Role.FINANCE], deposit=deposit)
    book.refresh_from_db()
    assert book.money_deposited and book.status == BookStatus.IN_USE


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_deposits_in_scope(tree, chain, staff, issued, role):
    deposit = record(chain["assistant"], tree.village_a1, issued["a1"])
    user = staff[role]
    visible = {d.pk for d in queries_deposits.deposit_list(user)}
    assert deposit.pk in visible  # every staff user of the fixture is over village A1
    clerk_b = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    assert not queries_deposits.deposit_list(clerk_b).exists()
