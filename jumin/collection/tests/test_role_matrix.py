"""Collection's pages × the seven roles, and township B's objects behind township A's back.

Every list page answers each role 200 or 403 as the registries' permissions say; every detail page (and
its API twin, and the acts posted from it) of an object in township B answers 404 to
township A's clerk and village A1's assistant — and 200 to the county clerk, so the test can
tell a 404 of scoping from a broken page.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import resolve, reverse

from jumin.collection.models import (
    Deposit,
    DepositStatus,
    Receipt,
    ReceiptBook,
    Reconciliation,
    TaxPaymentFile,
)
from jumin.collection.tests.factories import (
    MARCH,
    DepositFactory,
    ReceiptBookFactory,
    ReceiptFactory,
    WithholdingBatchFactory,
    WithholdingLineFactory,
)
from jumin.core.access import roles_with
from jumin.core.models import Role, User
from jumin.core.pages import may_open
from jumin.core.services.tokens import token_create
from jumin.pension.models import (
    Enrolment,
    EnrolmentStatus,
)
from jumin.pension.tests.factories import (
    AccountEntryFactory,
    EnrolmentFactory,
    PensionDueFactory,
    PlanFactory,
)
from jumin.testing.factories import StaffFactory

YEAR = 2026

# (URL name, the permission its page asks for)
LIST_PAGES = [
    ("pension:plans", "plan.view"),
    ("pension:enrolments", "enrolment.view"),
    ("contributions:dues", "due.view"),
    ("collection:batches", "withholding.view"),
    ("collection:tax_files", "withholding.view"),
    ("collection:books", "receipt_book.view"),
    ("collection:deposits", "deposit.view"),
    ("collection:overdue", "deposit.view"),
    ("collection:reconciliations", "reconciliation.view"),
    ("contributions:postings", "account.view"),
    ("collection:statements", "reconciliation.view"),
    ("reports:progress", "progress.view"),
    ("reports:targets", "target.set"),
]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("name", "permission"), LIST_PAGES)
def test_every_list_page_answers_every_role(client, staff, role, name, permission):
    client.force_login(staff[role])
    expected = 200 if role in roles_with(permission) else 403
    assert client.get(reverse(name)).status_code == expected


def test_the_matrix_is_not_all_open():
    """At least one page is closed to someone: the matrix tests a real difference."""
    closed = [name for name, permission in LIST_PAGES if roles_with(permission) != set(Role)]
    assert closed == ["reports:targets"]


# --------------------------------------------------------------------------- township B


@pytest.fixture
def b_objects(tree, staff):
    """One of everything in township B (village B1), or of the county where the object is
    the county's (a withholding batch, a tax file)."""
    b_assistant = StaffFactory(role=Role.VILLAGE_ASSISTANT, region=tree.village_b1)
    plan = PlanFactory(region=tree.county)
    enrolment = EnrolmentFactory(
        village=tree.village_b1,
        status=EnrolmentStatus.PENDING_TOWNSHIP,
        applied_by=b_assistant,
        person__birth_date=datetime.date(1970, 5, 1),
        person__passbook_number="6230000000009999",
        person__passbook_bank="农商行",
    )
    person = enrolment.person
    due = PensionDueFactory(person=person, enrolment=enrolment, plan=plan, amount="100")
    batch = WithholdingBatchFactory(region=tree.county, line_count=1, amount_sum=100)
    WithholdingLineFactory(batch=batch, due=due)
    tax_file = TaxPaymentFile.objects.create(
        region=tree.county, file_name="tax.csv", sha256="0" * 64
    )
    book = ReceiptBookFactory(
        series="B", first_number=1, holder=b_assistant, holder_region=tree.village_b1
    )
    receipt = ReceiptFactory(book=book, due=due)
    deposit = DepositFactory(
        village=tree.village_b1,
        slip_number="SB1",
        amount="100",
        depositor_name="乙",
        recorded_by=b_assistant,
        status=DepositStatus.RECORDED,
        receipts=[receipt],
    )
    reconciliation = Reconciliation.objects.create(region=tree.village_b1, month=MARCH)
    entry = AccountEntryFactory(person=person, amount=Decimal("100"))
    return {
        "entry": entry,
        "person": person,
        "enrolment": enrolment,
        "due": due,
        "batch": batch,
        "tax_file": tax_file,
        "book": book,
        "receipt": receipt,
        "deposit": deposit,
        "reconciliation": reconciliation,
    }


def detail_pages(o) -> list[tuple[str, str]]:
    """(method, URL) of every page showing or acting on one of township B's objects."""
    return [
        ("get", reverse("pension:enrolment_detail", args=[o["enrolment"].pk])),
        ("post", reverse("pension:enrolment_approve", args=[o["enrolment"].pk])),
        ("get", reverse("pension:enrolment_change", args=[o["enrolment"].pk])),
        ("get", reverse("pension:grade_choose", args=[o["person"].pk, YEAR])),
        ("get", reverse("collection:batch_detail", args=[o["batch"].pk])),
        ("get", reverse("collection:batch_export", args=[o["batch"].pk])),
        ("post", reverse("collection:batch_confirm", args=[o["batch"].pk])),
        ("get", reverse("collection:tax_file_detail", args=[o["tax_file"].pk])),
        ("post", reverse("collection:tax_file_confirm", args=[o["tax_file"].pk])),
        ("get", reverse("collection:book_detail", args=[o["book"].pk])),
        ("get", reverse("collection:book_handover", args=[o["book"].pk])),
        ("get", reverse("collection:receipt_issue", args=[o["book"].pk])),
        ("get", reverse("collection:receipt_void", args=[o["receipt"].pk])),
        ("get", reverse("collection:deposit_detail", args=[o["deposit"].pk])),
        ("post", reverse("collection:deposit_check", args=[o["deposit"].pk])),
        ("post", reverse("collection:deposit_return", args=[o["deposit"].pk])),
        ("get", reverse("collection:reconciliation_detail", args=[o["reconciliation"].pk])),
        ("post", reverse("collection:reconciliation_confirm", args=[o["reconciliation"].pk])),
        ("get", reverse("pension:account", args=[o["person"].pk])),
        ("post", reverse("pension:account_entry_reverse", args=[o["entry"].pk])),
    ]


def api_details(o) -> list[str]:
    return [
        f"/api/enrolments/{o['enrolment'].pk}",
        f"/api/dues/{o['due'].pk}",
        f"/api/withholding/{o['batch'].pk}",
        f"/api/withholding/{o['batch'].pk}/export",
        f"/api/tax-files/{o['tax_file'].pk}",
        f"/api/collection/books/{o['book'].pk}",
        f"/api/collection/receipts/{o['receipt'].pk}",
        f"/api/deposits/{o['deposit'].pk}",
        f"/api/reconciliations/{o['reconciliation'].pk}",
        f"/api/accounts/{o['person'].id_number}",
    ]


OUTSIDERS = [Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_township_b_pages_are_404_to_township_a(client, staff, b_objects, role):
    """A page the role may open answers 404 for township B's object; a page it may not open
    answers 403 before any object is looked up. Neither tells whether the object exists."""
    client.force_login(staff[role])
    answers = {
        url: getattr(client, method)(url).status_code for method, url in detail_pages(b_objects)
    }
    expected = {
        url: 404 if may_open(staff[role], resolve(url).view_name) else 403
        for _method, url in detail_pages(b_objects)
    }
    assert answers == expected
    assert list(expected.values()).count(404) >= 10


@pytest.mark.parametrize("role", OUTSIDERS)
def test_township_b_api_is_404_to_township_a(client, staff, b_objects, role):
    _, key = token_create(acting_user=None, user=staff[role], name="test")
    headers = {"Authorization": f"Bearer {key}"}
    answers = {url: client.get(url, headers=headers).status_code for url in api_details(b_objects)}
    assert {url: code for url, code in answers.items() if code != 404} == {}
    for url in api_details(b_objects)[:1]:
        body = json.loads(client.get(url, headers=headers).content)
        assert b_objects["person"].name not in json.dumps(body, ensure_ascii=False)


def test_township_b_pages_and_api_open_for_the_county(client, staff, b_objects):
    """The same URLs answer the county clerk: the 404s above are scoping, not broken pages."""
    clerk = staff[Role.COUNTY_CLERK]
    client.force_login(clerk)
    for method, url in detail_pages(b_objects):
        if method == "get" and "/handover/" not in url and "/issue/" not in url:
            assert client.get(url).status_code in (200, 403), url
    for url in (
        reverse("pension:enrolment_detail", args=[b_objects["enrolment"].pk]),
        reverse("collection:batch_detail", args=[b_objects["batch"].pk]),
        reverse("collection:tax_file_detail", args=[b_objects["tax_file"].pk]),
        reverse("collection:book_detail", args=[b_objects["book"].pk]),
        reverse("collection:deposit_detail", args=[b_objects["deposit"].pk]),
        reverse("collection:reconciliation_detail", args=[b_objects["reconciliation"].pk]),
        reverse("pension:account", args=[b_objects["person"].pk]),
    ):
        assert client.get(url).status_code == 200, url
    _, key = token_create(acting_user=None, user=clerk, name="test")
    headers = {"Authorization": f"Bearer {key}"}
    for url in api_details(b_objects):
        assert client.get(url, headers=headers).status_code == 200, url


def test_township_b_lists_show_nothing_of_b_to_township_a(client, tree, staff, b_objects):
    """The list pages (and the dues list, which has no detail page) keep B's rows out; the
    same lists show those rows to township B's own clerk (so the absence is scoping)."""
    markers = {
        "pension:enrolments": b_objects["person"].name,
        "contributions:dues": b_objects["person"].name,
        "collection:books": reverse("collection:book_detail", args=[b_objects["book"].pk]),
        "collection:deposits": reverse("collection:deposit_detail", args=[b_objects["deposit"].pk]),
        "collection:reconciliations": reverse(
            "collection:reconciliation_detail", args=[b_objects["reconciliation"].pk]
        ),
    }
    clerk_b = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    for user, shown in [(staff[role], False) for role in OUTSIDERS] + [(clerk_b, True)]:
        client.force_login(user)
        for list_name, marker in markers.items():
            page = client.get(reverse(list_name), {"year": YEAR})
            assert page.status_code == 200
            assert (marker in page.content.decode()) is shown, (user.role, list_name)
        client.logout()


def test_a_township_b_clerk_sees_b(client, tree, b_objects):
    """Township B's own clerk reaches B's village objects (scoping lets the right one in)."""
    clerk_b = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    client.force_login(clerk_b)
    for url in (
        reverse("pension:enrolment_detail", args=[b_objects["enrolment"].pk]),
        reverse("collection:book_detail", args=[b_objects["book"].pk]),
        reverse("collection:deposit_detail", args=[b_objects["deposit"].pk]),
        reverse("collection:reconciliation_detail", args=[b_objects["reconciliation"].pk]),
        reverse("pension:account", args=[b_objects["person"].pk]),
    ):
        assert client.get(url).status_code == 200, url
    assert User.objects.filter(role=Role.TOWNSHIP_CLERK).count() == 2


def test_township_a_cannot_reach_b_through_its_own_forms(client, tree, staff, b_objects):
    """B's objects named in A's own forms: refused, nothing written."""
    assistant = staff[Role.VILLAGE_ASSISTANT]
    clerk = staff[Role.TOWNSHIP_CLERK]
    own_book = ReceiptBook.objects.create(
        series="A",
        first_number=1,
        last_number=10,
        registered_by=staff[Role.FINANCE],
        holder=assistant,
        holder_region=tree.village_a1,
    )
    client.force_login(assistant)
    person = b_objects["person"]
    # the receipt form finds nobody of township B, so no due of B is offered
    page = client.get(
        reverse("collection:receipt_issue", args=[own_book.pk]),
        {"id_number": person.id_number, "year": YEAR},
    )
    assert page.status_code == 200 and page.context["dues"] == [] and page.context["person"] is None
    response = client.post(
        reverse("collection:receipt_issue", args=[own_book.pk]),
        {
            "id_number": person.id_number,
            "year": YEAR,
            "due": b_objects["due"].pk,
            "number": 1,
            "amount": "100",
            "payer_name": "x",
            "issued_on": f"{YEAR}-03-10",
        },
    )
    assert response.status_code == 200
    assert not Receipt.objects.filter(book=own_book).exists()
    # a deposit claiming B's receipt
    before = Deposit.objects.count()
    response = client.post(
        reverse("collection:deposits"),
        {
            "village": tree.village_b1.code,
            "bank": "农商行",
            "slip_number": "SA1",
            "deposited_on": f"{YEAR}-03-20",
            "amount": "100",
            "depositor_name": "甲",
            "receipt_ids": [b_objects["receipt"].pk],
        },
    )
    assert response.status_code in (200, 422)
    assert Deposit.objects.count() == before
    # enrolment of B's person from A's village
    client.post(reverse("pension:enrolment_register"), {"id_number": person.id_number})
    assert Enrolment.objects.filter(person=person).count() == 1
    client.logout()
    # the township A clerk computes township B's month
    client.force_login(clerk)
    client.post(
        reverse("collection:reconciliation_compute"),
        {"region": tree.village_b2.code, "month": f"{YEAR}-03"},
    )
    assert not Reconciliation.objects.filter(region=tree.village_b2).exists()
    _, key = token_create(acting_user=None, user=clerk, name="test")
    body = json.loads(
        client.get(
            "/api/dues",
            {"village": tree.village_b1.code},
            headers={"Authorization": f"Bearer {key}"},
        ).content
    )
    assert person.name not in json.dumps(body, ensure_ascii=False)
