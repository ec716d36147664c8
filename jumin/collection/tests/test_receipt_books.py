from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jumin.collection import queries, services
from jumin.collection.models import BookStatus, ReceiptHandover
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role
from jumin.testing.factories import PersonFactory, StaffFactory


@pytest.fixture
def chain(tree, staff):
    """County finance, a township finance office and labour office in A, a village assistant."""
    return {
        "finance": staff[Role.FINANCE],
        "township_finance": StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_a),
        "labour_office": staff[Role.TOWNSHIP_CLERK],
        "assistant": staff[Role.VILLAGE_ASSISTANT],
    }


def register(user, first=1, last=3, series="皖A"):
    return services.book_register(
        acting_user=user, series=series, first_number=first, last_number=last
    )


def hand_down(book, chain):
    path = ["finance", "township_finance", "labour_office", "assistant"]
    for giver, receiver in zip(path, path[1:], strict=False):
        services.book_handover(acting_user=chain[giver], book=book, receiver=chain[receiver])
    book.refresh_from_db()
    return book


def issue(book, user, person, number=1, amount="200.00", year=2026):
    return services.receipt_issue(
        acting_user=user,
        book=book,
        number=number,
        person=person,
        amount=amount,
        contribution_year=year,
    )


def test_whole_life_register_handover_issue_void_lost_write_off(tree, chain):
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
    person = PersonFactory(village=tree.village_a1)
    receipt = issue(book, chain["assistant"], person, number=1)
    assert receipt.amount == Decimal("200.00")
    services.receipt_void(acting_user=chain["assistant"], receipt=receipt, reason="写错金额")
    issue(book, chain["assistant"], person, number=2)
    services.receipt_report_lost(
        acting_user=chain["assistant"], book=book, number=3, reason="被雨淋毁"
    )
    listed = queries.book_get(chain["finance"], book.pk)
    assert (listed.issued, listed.voided, listed.lost, listed.unused) == (1, 1, 1, 0)
    services.book_write_off(acting_user=chain["finance"], book=book)
    book.refresh_from_db()
    assert book.status == BookStatus.WRITTEN_OFF
    assert AuditEntry.objects.filter(action="receipt_book.write_off").count() == 1


def test_write_off_refused_while_numbers_unused(chain):
    book = register(chain["finance"])
    with pytest.raises(ValidationError, match="3个票号未使用"):
        services.book_write_off(acting_user=chain["finance"], book=book)


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


def test_number_used_once_and_retry_idempotent(tree, chain):
    book = hand_down(register(chain["finance"]), chain)
    person = PersonFactory(village=tree.village_a1)
    first = issue(book, chain["assistant"], person)
    assert issue(book, chain["assistant"], person) == first
    assert AuditEntry.objects.filter(action="receipt.issue").count() == 1
    with pytest.raises(ValidationError, match="票号已使用"):
        issue(book, chain["assistant"], person, amount="300.00")


def test_out_of_range_number_refused(tree, chain):
    book = hand_down(register(chain["finance"]), chain)
    with pytest.raises(ValidationError, match="不在本票据本的号段"):
        issue(book, chain["assistant"], PersonFactory(village=tree.village_a1), number=4)


@pytest.mark.parametrize("amount", ["0", "-5", "1.234", "abc"])
def test_bad_amount_names_the_field(tree, chain, amount):
    book = hand_down(register(chain["finance"]), chain)
    with pytest.raises(ValidationError) as error:
        issue(book, chain["assistant"], PersonFactory(village=tree.village_a1), amount=amount)
    assert "amount" in error.value.message_dict


def test_non_holder_cannot_issue(tree, chain):
    book = register(chain["finance"])
    services.book_handover(
        acting_user=chain["finance"], book=book, receiver=chain["township_finance"]
    )
    with pytest.raises(ValidationError, match="当前持有人"):
        issue(book, chain["labour_office"], PersonFactory(village=tree.village_a1))


def test_payer_outside_holder_scope_refused(tree, chain):
    book = hand_down(register(chain["finance"]), chain)
    with pytest.raises(ValidationError, match="辖区"):
        issue(book, chain["assistant"], PersonFactory(village=tree.village_a2))


def test_handover_sideways_to_other_township_refused(tree, chain):
    book = register(chain["finance"])
    services.book_handover(
        acting_user=chain["finance"], book=book, receiver=chain["township_finance"]
    )
    other = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    with pytest.raises(ValidationError, match="接收人"):
        services.book_handover(acting_user=chain["township_finance"], book=book, receiver=other)


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
