"""The receipt-book, deposit and overdue pages, driven as the staff use them."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jumin.collection.models import (
    BookStatus,
    Deposit,
    DepositStatus,
    DueStatus,
    Receipt,
    ReceiptBook,
    ReceiptStatus,
)
from jumin.collection.services import deposits
from jumin.collection.services import receipts as services
from jumin.collection.tests import receipt_testing
from jumin.collection.tests.receipt_testing import hand_down, issue, record, register
from jumin.core.models import AuditEntry, Role
from jumin.core.services.tokens import token_create
from jumin.pension.tests.factories import PensionDueFactory
from jumin.testing.factories import PersonFactory, StaffFactory

chain = receipt_testing.chain  # fixtures
plan = receipt_testing.plan
D = datetime.date


@pytest.fixture
def books(tree, staff, plan):
    finance = staff[Role.FINANCE]
    in_a = services.book_register(acting_user=finance, series="皖A", first_number=1, last_number=5)
    services.book_handover(acting_user=finance, book=in_a, receiver=staff[Role.TOWNSHIP_CLERK])
    services.book_handover(
        acting_user=staff[Role.TOWNSHIP_CLERK], book=in_a, receiver=staff[Role.VILLAGE_ASSISTANT]
    )
    person = PersonFactory(village=tree.village_a1, name="赵秀英")
    issue(
        in_a,
        staff[Role.VILLAGE_ASSISTANT],
        PensionDueFactory(plan=plan, person=person, amount="300"),
        number=2,
    )
    in_b = services.book_register(acting_user=finance, series="皖B", first_number=1, last_number=5)
    services.book_handover(
        acting_user=finance,
        book=in_b,
        receiver=StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b),
    )
    return in_a, in_b


def test_township_clerk_sees_own_books_and_404_for_other_township(client, staff, books):
    in_a, in_b = books
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    page = client.get(reverse("collection:books")).content.decode()
    assert "皖A" in page and "皖B" not in page
    assert "1、3–5" in page  # the unused numbers of 皖A
    detail = client.get(reverse("collection:book_detail", args=[in_a.pk])).content.decode()
    assert "赵秀英" in detail and "300.00" in detail
    assert client.get(reverse("collection:book_detail", args=[in_b.pk])).status_code == 404
    for name in ("book_handover", "receipt_issue", "receipt_lost"):
        assert client.get(reverse(f"collection:{name}", args=[in_b.pk])).status_code == 404
    # the permission is checked before the book is looked up: no write-off for a clerk
    assert client.post(reverse("collection:book_write_off", args=[in_b.pk])).status_code == 403


def test_county_finance_sees_every_book_and_filters(client, tree, staff, books):
    client.force_login(staff[Role.FINANCE])
    page = client.get(reverse("collection:books")).content.decode()
    assert "皖A" in page and "皖B" in page
    page = client.get(reverse("collection:books"), {"township": tree.township_b.code})
    assert "皖A" not in page.content.decode()
    page = client.get(reverse("collection:books"), {"village": tree.village_a1.code})
    assert "皖B" not in page.content.decode() and "皖A" in page.content.decode()


def test_api_lists_books_in_scope_and_404_outside(client, staff, books):
    in_a, in_b = books
    _, key = token_create(acting_user=None, user=staff[Role.VILLAGE_ASSISTANT], name="test")
    headers = {"Authorization": f"Bearer {key}"}
    listed = client.get("/api/collection/books", headers=headers).json()
    assert [(book["series"], book["issued"], book["unused"]) for book in listed] == [("皖A", 1, 4)]
    assert client.get(f"/api/collection/books/{in_b.pk}", headers=headers).status_code == 404
    assert client.get(f"/api/collection/books/{in_a.pk}", headers=headers).json()["id"] == in_a.pk


def test_whole_book_life_through_the_pages(client, tree, chain, staff, plan):
    finance, assistant = chain["finance"], chain["assistant"]
    # county finance registers; an overlapping range is refused on the form
    client.force_login(finance)
    response = client.post(
        reverse("collection:book_register"),
        {"series": "皖财", "first_number": 1, "last_number": 3},
    )
    book = ReceiptBook.objects.get(series="皖财")
    assert response.status_code == 302
    response = client.post(
        reverse("collection:book_register"),
        {"series": "皖财", "first_number": 3, "last_number": 9},
    )
    assert "重叠" in response.content.decode()
    # handover: the form offers only the next holders
    page = client.get(reverse("collection:book_handover", args=[book.pk])).content.decode()
    assert str(chain["township_finance"].pk) in page
    assert f'value="{assistant.pk}"' not in page
    for giver, receiver in [
        ("finance", "township_finance"),
        ("township_finance", "labour_office"),
        ("labour_office", "assistant"),
    ]:
        client.force_login(chain[giver])
        response = client.post(
            reverse("collection:book_handover", args=[book.pk]),
            {"receiver": chain[receiver].pk, "note": "发放"},
        )
        assert response.status_code == 302, response.content.decode()
    book.refresh_from_db()
    assert book.holder == assistant
    # the assistant finds the payer by ID number and sees the open due, number 1 prefilled
    due = PensionDueFactory(plan=plan, person__village=tree.village_a1, amount="200")
    person = due.person
    client.force_login(assistant)
    url = reverse("collection:receipt_issue", args=[book.pk])
    page = client.get(url, {"id_number": person.id_number, "year": 2026}).content.decode()
    assert "应缴200.00元" in page and 'name="number" value="1"' in page
    assert f'value="{person.name}"' in page
    form = {
        "id_number": person.id_number,
        "year": 2026,
        "due": due.pk,
        "number": 1,
        "amount": "200.00",
        "payer_name": person.name,
        "issued_on": "2026-03-10",
    }
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # a re-submit: same receipt, no effect
    receipt = Receipt.objects.get(book=book, number=1)
    due.refresh_from_db()
    assert due.status == DueStatus.PAID and due.payment_reference == "皖财-1"
    assert AuditEntry.objects.filter(action="collection.receipt.issue").count() == 1
    # void it, then issue number 2 for the same due
    void_url = reverse("collection:receipt_void", args=[receipt.pk])
    assert client.post(void_url, {"reason": "金额写错"}).status_code == 302
    due.refresh_from_db()
    assert due.status == DueStatus.OPEN
    assert client.post(url, {**form, "number": 2}).status_code == 302
    # a used number is refused on the form
    other = PensionDueFactory(plan=plan, person__village=tree.village_a1, amount="200")
    response = client.post(
        url, {**form, "id_number": other.person.id_number, "due": other.pk, "number": 2}
    )
    assert "票号皖财-2已使用" in response.content.decode()
    # the last number is lost
    lost_url = reverse("collection:receipt_lost", args=[book.pk])
    assert client.post(lost_url, {"number": 3, "reason": "被雨淋毁"}).status_code == 302
    # write-off refused until the deposit is county-checked
    client.force_login(finance)
    write_off = reverse("collection:book_write_off", args=[book.pk])
    response = client.post(write_off, follow=True)
    assert "县财务核对" in response.content.decode()
    book.refresh_from_db()
    assert book.status == BookStatus.IN_USE
    second = Receipt.objects.get(book=book, number=2)
    client.force_login(assistant)
    response = client.post(
        reverse("collection:deposits"),
        {
            "village": tree.village_a1.code,
            "bank": "农商行",
            "slip_number": "0001",
            "deposited_on": "2026-03-20",
            "amount": "200.00",
            "depositor_name": "王会计",
            "receipt_ids": [second.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()
    deposit = Deposit.objects.get()
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    client.post(reverse("collection:deposit_check", args=[deposit.pk]))
    client.force_login(finance)
    client.post(reverse("collection:deposit_check", args=[deposit.pk]))
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.COUNTY_CHECKED
    client.post(write_off)
    book.refresh_from_db()
    assert book.status == BookStatus.WRITTEN_OFF
    statuses = dict(Receipt.objects.filter(book=book).values_list("number", "status"))
    assert statuses == {1: ReceiptStatus.VOIDED, 2: ReceiptStatus.ISSUED, 3: ReceiptStatus.LOST}


def test_issue_form_finds_only_payers_in_scope(client, tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    due = PensionDueFactory(plan=plan, person__village=tree.village_a2)
    client.force_login(chain["assistant"])
    page = client.get(
        reverse("collection:receipt_issue", args=[book.pk]),
        {"id_number": due.person.id_number, "year": 2026},
    ).content.decode()
    assert "您的辖区内没有这个身份证号的人员" in page


def test_issue_form_wrong_amount_names_the_expected(client, tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    due = PensionDueFactory(plan=plan, person__village=tree.village_a1, amount="500")
    client.force_login(chain["assistant"])
    response = client.post(
        reverse("collection:receipt_issue", args=[book.pk]),
        {
            "id_number": due.person.id_number,
            "year": 2026,
            "due": due.pk,
            "number": 1,
            "amount": "400",
            "payer_name": "",
            "issued_on": "2026-03-10",
        },
    )
    assert "请按应缴金额500.00元开票" in response.content.decode()
    assert not Receipt.objects.exists()


def test_non_holder_sees_no_issue_button_and_is_refused(client, tree, chain, plan):
    book = hand_down(register(chain["finance"]), chain)
    client.force_login(chain["labour_office"])
    page = client.get(reverse("collection:book_detail", args=[book.pk])).content.decode()
    assert reverse("collection:receipt_issue", args=[book.pk]) not in page
    due = PensionDueFactory(plan=plan, person__village=tree.village_a1)
    response = client.post(
        reverse("collection:receipt_issue", args=[book.pk]),
        {
            "id_number": due.person.id_number,
            "year": 2026,
            "due": due.pk,
            "number": 1,
            "amount": "200",
            "issued_on": "2026-03-10",
        },
    )
    assert "当前持有人" in response.content.decode()


@pytest.mark.parametrize("role", [Role.COUNTY_CLERK, Role.AUDITOR, Role.LEADER])
def test_roles_without_the_act_get_403(client, chain, staff, role):
    book = register(chain["finance"])
    client.force_login(staff[role])
    assert client.get(reverse("collection:book_register")).status_code == 403
    assert client.post(reverse("collection:book_write_off", args=[book.pk])).status_code == 403


# --------------------------------------------------------------------------- deposits


@pytest.fixture
def march(tree, chain, plan):
    book = hand_down(register(chain["finance"], 1, 10), chain)
    return [
        issue(
            book,
            chain["assistant"],
            PensionDueFactory(plan=plan, person__village=tree.village_a1),
            number=n,
            on=D(2026, 3, 10),
        )
        for n in (1, 2)
    ]


def test_deposit_form_lists_undeposited_receipts_of_the_village(client, tree, chain, march):
    client.force_login(chain["assistant"])
    page = client.get(reverse("collection:deposits")).content.decode()
    assert "皖A-1" in page and "皖A-2" in page
    client.force_login(chain["labour_office"])
    page = client.get(reverse("collection:deposits")).content.decode()
    assert "皖A-1" not in page  # first choose the village
    page = client.get(
        reverse("collection:deposits"), {"record_village": tree.village_a1.code}
    ).content.decode()
    assert "皖A-1" in page


def test_deposit_form_errors_are_shown(client, tree, chain, march):
    client.force_login(chain["assistant"])
    response = client.post(
        reverse("collection:deposits"),
        {
            "village": tree.village_a1.code,
            "bank": "农商行",
            "slip_number": "9",
            "deposited_on": "2026-03-20",
            "amount": "100",
            "depositor_name": "王会计",
            "receipt_ids": [r.pk for r in march],
        },
    )
    assert response.status_code == 422
    assert "缴存金额100.00元与所选2张票据合计400.00元不一致" in response.content.decode()


def test_deposit_pages_scoped(client, tree, chain, staff, march):
    deposit = record(chain["assistant"], tree.village_a1, march)
    clerk_b = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    client.force_login(clerk_b)
    assert "0001" not in client.get(reverse("collection:deposits")).content.decode()
    assert client.get(reverse("collection:deposit_detail", args=[deposit.pk])).status_code == 404
    assert client.post(reverse("collection:deposit_check", args=[deposit.pk])).status_code == 404
    assert (
        client.post(reverse("collection:deposit_return", args=[deposit.pk]), {"reason": "x"})
    ).status_code == 404
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    page = client.get(reverse("collection:deposit_detail", args=[deposit.pk])).content.decode()
    assert "皖A-1" in page and "核对无误" in page and "2026-03-28" in page


def test_deposit_return_through_the_page(client, tree, chain, staff, march):
    deposit = record(chain["assistant"], tree.village_a1, march)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    client.post(reverse("collection:deposit_return", args=[deposit.pk]), {"reason": "单据不清"})
    deposit.refresh_from_db()
    assert deposit.status == DepositStatus.RETURNED
    assert not Receipt.objects.filter(deposit=deposit).exists()


def test_overdue_page_and_export(client, tree, chain, staff, march):
    deposit = record(chain["assistant"], tree.village_a1, march[:1], on=D(2026, 3, 27))
    deposits.deposit_check(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit)
    client.force_login(staff[Role.FINANCE])
    page = client.get(reverse("collection:overdue"), {"on": "2026-03-31"}).content.decode()
    assert "票据逾期未缴存" in page and "皖A-2" in page and "逾期缴存" in page
    assert "东门村" in page and "定城镇" in page
    response = client.get(reverse("collection:overdue_export"), {"on": "2026-03-31"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["明细"].iter_rows(values_only=True))
    assert rows[1][0] == "乡镇"
    assert {row[2] for row in rows[2:]} == {"票据逾期未缴存", "逾期缴存"}
    assert AuditEntry.objects.filter(action="collection.overdue.export").count() == 1
    client.force_login(StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b))
    page = client.get(reverse("collection:overdue"), {"on": "2026-03-31"}).content.decode()
    assert "皖A-2" not in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", [Role.FINANCE, Role.VILLAGE_ASSISTANT])
def test_overdue_export_answers_outside_a_request_transaction(client, staff, role):
    """The export records its (read-only) audit entry with no transaction around the view,
    as in production."""
    client.force_login(staff[role])
    response = client.get(reverse("collection:overdue_export"), {"on": "2026-03-31"})
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="collection.overdue.export").count() == 1


@pytest.mark.parametrize("role", list(Role))
def test_list_pages_render_for_every_role(client, tree, chain, staff, march, role):
    deposit = record(chain["assistant"], tree.village_a1, march)
    client.force_login(staff[role])
    for url in (
        reverse("collection:books"),
        reverse("collection:deposits"),
        reverse("collection:overdue"),
        reverse("collection:overdue") + "?on=bad",
        reverse("collection:deposit_detail", args=[deposit.pk]),
        reverse("collection:book_detail", args=[march[0].book_id]),
    ):
        assert client.get(url).status_code == 200, url
    issue_page = client.get(reverse("collection:receipt_issue", args=[march[0].book_id]))
    assert issue_page.status_code == (
        200 if role in (Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT) else 403
    )


def test_book_list_queries_do_not_grow(client, chain, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff[Role.FINANCE])
    counts = []
    for first in (1, 11, 21, 31):
        register(chain["finance"], first, first + 9)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("collection:books")).status_code == 200
        counts.append(len(context.captured_queries))
    assert len(set(counts)) == 1, counts
