"""``/api/collection``: the book life and receipts through the API, scoped like the pages."""

import pytest
from django.utils import timezone

from jumin.collection.models import DueStatus, Receipt
from jumin.collection.services import deposits
from jumin.collection.tests import receipt_testing
from jumin.collection.tests.receipt_testing import hand_down, issue, record, register
from jumin.core.models import AuditEntry, Role
from jumin.core.services.tokens import token_create
from jumin.pension.tests.factories import PensionDueFactory
from jumin.testing.factories import StaffFactory

chain = receipt_testing.chain  # fixtures
plan = receipt_testing.plan


def auth(user) -> dict:
    _, key = token_create(acting_user=None, user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


def post(client, url, user, body=None):
    return client.post(url, body or {}, content_type="application/json", headers=auth(user))


def test_register_handover_issue_void_lost_write_off(client, tree, chain, staff, plan):
    finance = chain["finance"]
    response = post(
        client,
        "/api/collection/books",
        finance,
        {"series": "皖C", "first_number": 1, "last_number": 3},
    )
    assert response.status_code == 201
    book_id = response.json()["id"]
    again = post(
        client,
        "/api/collection/books",
        finance,
        {"series": "皖C", "first_number": 1, "last_number": 3},
    )
    assert again.status_code == 200 and again.json()["id"] == book_id
    overlap = post(
        client,
        "/api/collection/books",
        finance,
        {"series": "皖C", "first_number": 2, "last_number": 5},
    )
    assert overlap.status_code == 422 and "重叠" in overlap.json()["message"]
    # skipping the township is refused
    response = post(
        client,
        f"/api/collection/books/{book_id}/handover",
        finance,
        {"receiver_id": chain["assistant"].pk},
    )
    assert response.status_code == 422
    for giver, receiver in [
        ("finance", "township_finance"),
        ("township_finance", "labour_office"),
        ("labour_office", "assistant"),
    ]:
        response = post(
            client,
            f"/api/collection/books/{book_id}/handover",
            chain[giver],
            {"receiver_id": chain[receiver].pk, "note": "发放"},
        )
        assert response.status_code == 200, response.json()
    assert response.json()["holder"] == chain["assistant"].username
    due = PensionDueFactory(plan=plan, person__village=tree.village_a1, amount="300")
    body = {"number": 1, "due_id": due.pk, "amount": "300", "issued_on": "2026-03-10"}
    url = f"/api/collection/books/{book_id}/receipts"
    response = post(client, url, chain["assistant"], body)
    assert response.status_code == 201, response.json()
    receipt = response.json()
    assert (receipt["reference"], receipt["payer_name"], receipt["issued_on"]) == (
        "皖C-1",
        due.person.name,
        "2026-03-10",
    )
    assert post(client, url, chain["assistant"], body).status_code == 200
    assert AuditEntry.objects.filter(action="collection.receipt.issue").count() == 1
    paid = post(client, url, chain["assistant"], {**body, "number": 2})
    assert paid.status_code == 422 and "已缴" in paid.json()["message"]
    second = {
        **body,
        "due_id": PensionDueFactory(plan=plan, person__village=tree.village_a1, amount="300").pk,
    }
    wrong = post(client, url, chain["assistant"], {**second, "number": 2, "amount": "200"})
    assert wrong.status_code == 422 and "应缴金额300.00元" in wrong.json()["message"]
    outside = post(client, url, chain["assistant"], {**second, "number": 4})
    assert outside.status_code == 422 and "号段" in outside.json()["message"]
    response = post(
        client,
        f"/api/collection/receipts/{receipt['id']}/void",
        chain["assistant"],
        {"reason": "写错"},
    )
    assert response.json()["status"] == "voided"
    due.refresh_from_db()
    assert due.status == DueStatus.OPEN
    assert post(client, url, chain["assistant"], {**body, "number": 2}).status_code == 201
    response = post(
        client,
        f"/api/collection/books/{book_id}/lost",
        chain["assistant"],
        {"number": 3, "reason": "丢失"},
    )
    assert response.json()["status"] == "lost"
    refused = post(client, f"/api/collection/books/{book_id}/write-off", finance)
    assert refused.status_code == 422 and "县财务核对" in refused.json()["message"]


def test_write_off_after_county_check(client, tree, chain, staff, plan):
    book = hand_down(register(chain["finance"], 1, 1), chain)
    receipt = issue(
        book,
        chain["assistant"],
        PensionDueFactory(plan=plan, person__village=tree.village_a1),
        on=None,
    )
    deposit = record(
        chain["assistant"], tree.village_a1, [receipt], on=timezone.localdate(receipt.issued_at)
    )
    deposits.deposit_check(acting_user=staff[Role.TOWNSHIP_CLERK], deposit=deposit)
    deposits.deposit_check(acting_user=staff[Role.FINANCE], deposit=deposit)
    response = post(client, f"/api/collection/books/{book.pk}/write-off", chain["finance"])
    assert response.status_code == 200 and response.json()["status"] == "written_off"
    assert response.json()["money_deposited"] is True


def test_not_the_holder_and_roles(client, tree, chain, staff, plan):
    book = hand_down(register(chain["finance"]), chain)
    due = PensionDueFactory(plan=plan, person__village=tree.village_a1)
    url = f"/api/collection/books/{book.pk}/receipts"
    body = {"number": 1, "due_id": due.pk, "amount": "200"}
    response = post(client, url, chain["labour_office"], body)
    assert response.status_code == 422 and "当前持有人" in response.json()["message"]
    assert post(client, url, staff[Role.FINANCE], body).status_code == 403
    assert (
        post(
            client, f"/api/collection/books/{book.pk}/write-off", staff[Role.COUNTY_ADMIN]
        ).status_code
        == 403
    )


def test_out_of_scope_is_404(client, tree, chain, staff, plan):
    book = hand_down(register(chain["finance"]), chain)
    receipt = issue(
        book, chain["assistant"], PensionDueFactory(plan=plan, person__village=tree.village_a1)
    )
    clerk_b = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    assert (
        client.get(f"/api/collection/receipts/{receipt.pk}", headers=auth(clerk_b)).status_code
        == 404
    )
    assert (
        post(
            client, f"/api/collection/receipts/{receipt.pk}/void", clerk_b, {"reason": "x"}
        ).status_code
        == 404
    )
    assert (
        post(
            client, f"/api/collection/books/{book.pk}/lost", clerk_b, {"number": 2, "reason": "x"}
        ).status_code
        == 404
    )
    assert (
        post(
            client, f"/api/collection/books/{book.pk}/handover", clerk_b, {"receiver_id": 1}
        ).status_code
        == 404
    )
    # a due outside the caller's scope is 404 too
    due_b = PensionDueFactory(plan=plan, person__village=tree.village_b1)
    response = post(
        client,
        f"/api/collection/books/{book.pk}/receipts",
        chain["assistant"],
        {"number": 2, "due_id": due_b.pk, "amount": "200"},
    )
    assert response.status_code == 404
    listed = client.get("/api/collection/receipts", headers=auth(clerk_b)).json()
    assert listed == {"count": 0, "results": []}


def test_receipt_list_filters(client, tree, chain, staff, plan):
    book = hand_down(register(chain["finance"], 1, 5), chain)
    first = issue(
        book,
        chain["assistant"],
        PensionDueFactory(plan=plan, person__village=tree.village_a1),
        number=1,
    )
    issue(
        book,
        chain["assistant"],
        PensionDueFactory(plan=plan, person__village=tree.village_a1),
        number=2,
    )
    record(chain["assistant"], tree.village_a1, [first], on=timezone.localdate(first.issued_at))
    headers = auth(staff[Role.FINANCE])
    listed = client.get("/api/collection/receipts", headers=headers).json()
    assert listed["count"] == 2
    undeposited = client.get("/api/collection/receipts?undeposited=true", headers=headers).json()
    assert [r["number"] for r in undeposited["results"]] == [2]
    by_number = client.get("/api/collection/receipts?number=1", headers=headers).json()
    assert by_number["results"][0]["deposit_status"] == "recorded"
    assert client.get("/api/collection/receipts?village=12", headers=headers).status_code == 422


@pytest.mark.parametrize("role", list(Role))
def test_every_role_lists_receipts_in_scope(client, tree, chain, staff, plan, role):
    book = hand_down(register(chain["finance"]), chain)
    issue(book, chain["assistant"], PensionDueFactory(plan=plan, person__village=tree.village_a1))
    listed = client.get("/api/collection/receipts", headers=auth(staff[role])).json()
    assert listed["count"] == 1
    assert Receipt.objects.count() == 1
