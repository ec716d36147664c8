"""``/api/deposits``: record, check, return and the overdue list, scoped like the pages."""

import datetime

import pytest

from jumin.collection.models import Deposit, DepositStatus
from jumin.collection.services import receipts as services
from jumin.collection.tests import receipt_testing
from jumin.collection.tests.receipt_testing import hand_down, issue, register
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


@pytest.fixture
def receipts(tree, chain, plan):
    book = hand_down(register(chain["finance"], 1, 5), chain)
    return [
        issue(
            book,
            chain["assistant"],
            PensionDueFactory(plan=plan, person__village=tree.village_a1),
            number=n,
            on=datetime.date(2026, 3, 10),
        )
        for n in (1, 2)
    ]


def body(tree, receipts, **changes):
    return {
        "village_code": tree.village_a1.code,
        "bank": "农商行",
        "slip_number": "A-77",
        "deposited_on": "2026-03-20",
        "amount": "400.00",
        "depositor_name": "王会计",
        "receipt_ids": [r.pk for r in receipts],
        **changes,
    }


def test_record_check_and_idempotency(client, tree, chain, staff, receipts):
    assistant = chain["assistant"]
    response = post(client, "/api/deposits", assistant, body(tree, receipts))
    assert response.status_code == 201, response.json()
    deposit = response.json()
    assert deposit["status"] == "recorded" and len(deposit["receipt_ids"]) == 2
    again = post(client, "/api/deposits", assistant, body(tree, receipts))
    assert again.status_code == 200 and again.json()["id"] == deposit["id"]
    clash = post(client, "/api/deposits", assistant, body(tree, receipts[:1], amount="200"))
    assert clash.status_code == 422 and "已经登记过" in clash.json()["message"]
    assert post(client, f"/api/deposits/{deposit['id']}/check", assistant).status_code == 403
    response = post(client, f"/api/deposits/{deposit['id']}/check", staff[Role.TOWNSHIP_CLERK])
    assert response.json()["status"] == "township_checked"
    response = post(client, f"/api/deposits/{deposit['id']}/check", staff[Role.FINANCE])
    assert response.json()["status"] == "county_checked"
    assert AuditEntry.objects.filter(action__startswith="collection.deposit.").count() == 3


def test_wrong_amount_and_other_village(client, tree, chain, plan, receipts):
    response = post(client, "/api/deposits", chain["assistant"], body(tree, receipts, amount="300"))
    assert response.status_code == 422
    assert "与所选2张票据合计400.00元不一致" in response.json()["message"]
    # a receipt of village A2, issued by the labour office, claimed for A1
    other_book = register(chain["finance"], 1, 5, series="皖B")
    services.book_handover(
        acting_user=chain["finance"], book=other_book, receiver=chain["labour_office"]
    )
    other = issue(
        other_book,
        chain["labour_office"],
        PensionDueFactory(plan=plan, person__village=tree.village_a2),
        on=datetime.date(2026, 3, 10),
    )
    response = post(
        client,
        "/api/deposits",
        chain["labour_office"],
        body(tree, [*receipts, other], amount="600"),
    )
    assert response.status_code == 422
    assert "票据皖B-1是其他村的票据" in response.json()["message"]
    assert not Deposit.objects.exists()


def test_return_with_reason(client, tree, chain, staff, receipts):
    deposit = post(client, "/api/deposits", chain["assistant"], body(tree, receipts)).json()
    url = f"/api/deposits/{deposit['id']}/return"
    assert post(client, url, staff[Role.TOWNSHIP_CLERK], {}).status_code == 422
    response = post(client, url, staff[Role.TOWNSHIP_CLERK], {"reason": "金额不清"})
    assert response.json()["status"] == "returned" and response.json()["receipt_ids"] == []
    again = post(client, "/api/deposits", chain["assistant"], body(tree, receipts))
    assert again.status_code == 201 and again.json()["status"] == DepositStatus.RECORDED


def test_out_of_scope_is_404(client, tree, chain, receipts):
    deposit = post(client, "/api/deposits", chain["assistant"], body(tree, receipts)).json()
    clerk_b = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    assert client.get(f"/api/deposits/{deposit['id']}", headers=auth(clerk_b)).status_code == 404
    assert post(client, f"/api/deposits/{deposit['id']}/check", clerk_b).status_code == 404
    assert (
        post(client, f"/api/deposits/{deposit['id']}/return", clerk_b, {"reason": "x"}).status_code
        == 404
    )
    assert client.get("/api/deposits", headers=auth(clerk_b)).json()["count"] == 0


def test_overdue_endpoint(client, tree, chain, staff, receipts):
    headers = auth(staff[Role.FINANCE])
    response = client.get("/api/deposits/overdue?on=2026-03-26", headers=headers).json()
    assert [(row["kind"], row["days"]) for row in response["rows"]] == [
        ("receipt_not_deposited", 1),
        ("receipt_not_deposited", 1),
    ]
    assert response["summary"][0]["region_name"] == "定城镇"
    assert response["summary"][1]["undeposited_amount"] == "400.00"
    assert client.get("/api/deposits/overdue?on=2026-03-25", headers=headers).json()["rows"] == []
    assert client.get("/api/deposits/overdue", headers=headers).status_code == 422
    clerk_b = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    response = client.get("/api/deposits/overdue?on=2026-03-26", headers=auth(clerk_b)).json()
    assert response["rows"] == []
