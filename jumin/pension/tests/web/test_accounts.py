"""The personal-account page and API: scope per role, masking, reversal."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from jumin.collection.models import DueStatus
from jumin.core.models import AuditEntry, Role
from jumin.core.services.tokens import token_create
from jumin.pension.models import AccountEntry
from jumin.pension.services.posting import post_confirmed
from jumin.pension.tests.factories import YEAR, EnrolmentFactory, PensionDueFactory, PlanFactory
from jumin.testing.factories import StaffFactory


@pytest.fixture
def account(tree, staff):
    plan = PlanFactory()
    person = EnrolmentFactory(village=tree.village_a1).person
    PensionDueFactory(
        plan=plan,
        person=person,
        subsidy_province="30.00",
        subsidy_city="0",
        subsidy_county="0",
        status=DueStatus.CONFIRMED,
    )
    post_confirmed(acting_user=None, region_code="341125", year=YEAR)
    return person


def bearer(user):
    _, key = token_create(acting_user=None, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize("role", list(Role))
def test_every_role_in_scope_sees_the_account(client, staff, account, role):
    client.force_login(staff[role])
    response = client.get(reverse("pension:account", args=[account.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "230.00" in text and "省级补贴" in text and "个人缴费" in text
    assert ("冲正原因" in text) == (role == Role.FINANCE)
    assert AuditEntry.objects.filter(
        action="pension.account.view", object_id=str(account.pk)
    ).exists()


def test_out_of_scope_is_404(client, tree, account):
    for role, region in (
        (Role.VILLAGE_ASSISTANT, tree.village_a2),
        (Role.TOWNSHIP_CLERK, tree.township_b),
    ):
        user = StaffFactory(role=role, region=region)
        client.force_login(user)
        assert client.get(reverse("pension:account", args=[account.pk])).status_code == 404
        assert client.get(f"/api/accounts/{account.id_number}", **bearer(user)).status_code == 404


def test_person_page_links_to_the_account(client, staff, account):
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    page = client.get(reverse("people:detail", args=[account.pk])).content.decode()
    assert reverse("pension:account", args=[account.pk]) in page


def test_finance_reverses_on_the_page(client, staff, account):
    entry = AccountEntry.objects.get(person=account, source="personal")
    client.force_login(staff[Role.FINANCE])
    url = reverse("pension:account_entry_reverse", args=[entry.pk])
    response = client.post(url, {"reason": ""}, follow=True)
    assert "请填写冲正原因" in response.content.decode()
    response = client.post(url, {"reason": "收错了人"}, follow=True)
    text = response.content.decode()
    assert "收错了人" in text and "已冲正" in text
    assert AccountEntry.objects.filter(person=account).balance() == Decimal("30.00")
    response = client.post(url, {"reason": "again"}, follow=True)
    assert "已经冲正过" in response.content.decode()
    assert AccountEntry.objects.filter(person=account).count() == 3


@pytest.mark.parametrize(
    "role", [Role.COUNTY_ADMIN, Role.AUDITOR, Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT]
)
def test_other_roles_may_not_reverse(client, staff, account, role):
    entry = AccountEntry.objects.get(person=account, source="personal")
    client.force_login(staff[role])
    url = reverse("pension:account_entry_reverse", args=[entry.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    answer = client.post(
        f"/api/accounts/entries/{entry.pk}/reverse",
        json.dumps({"reason": "x"}),
        content_type="application/json",
        **bearer(staff[role]),
    )
    assert answer.status_code == 403
    assert AccountEntry.objects.filter(person=account).count() == 2


def test_api_account_masked_for_leaders(client, staff, account):
    body = client.get(f"/api/accounts/{account.id_number}", **bearer(staff[Role.LEADER])).json()
    assert body["id_number"] != account.id_number and "*" in body["id_number"]
    assert body["balance"] == "230.00"
    assert body["by_source"] == {"personal": "200.00", "subsidy_province": "30.00"}
    assert body["by_year"][str(YEAR)]["total"] == "230.00"
    assert len(body["entries"]) == 2
    clerk = client.get(f"/api/accounts/{account.id_number}", **bearer(staff[Role.COUNTY_CLERK]))
    assert clerk.json()["id_number"] == account.id_number
    assert client.get("/api/accounts/123", **bearer(staff[Role.LEADER])).status_code == 404


def test_api_reverse(client, staff, account):
    entry = AccountEntry.objects.get(person=account, source="subsidy_province")
    headers = bearer(staff[Role.FINANCE])
    url = f"/api/accounts/entries/{entry.pk}/reverse"
    answer = client.post(
        url, json.dumps({"reason": "补贴错误"}), content_type="application/json", **headers
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["amount"] == "-30.00" and answer.json()["reverses_id"] == entry.pk
    again = client.post(
        url, json.dumps({"reason": "再次"}), content_type="application/json", **headers
    )
    assert again.status_code == 422 and "已经冲正过" in again.json()["message"]
    empty = client.post(
        url, json.dumps({"reason": " "}), content_type="application/json", **headers
    )
    assert empty.status_code == 422
    body = client.get(f"/api/accounts/{account.id_number}", **headers).json()
    assert body["balance"] == "200.00"
    assert [e["reversed"] for e in body["entries"] if e["id"] == entry.pk] == [True]


def test_due_reverse_page_and_api(client, staff, account):
    from jumin.collection.models import Due

    due = Due.objects.get(person=account)
    client.force_login(staff[Role.FINANCE])
    page = client.get(reverse("pension:account", args=[account.pk])).content.decode()
    assert "整笔冲正" in page
    url = reverse("pension:account_due_reverse", args=[account.pk, due.pk])
    response = client.post(url, {"reason": "重复收费"}, follow=True)
    assert "应缴已取消" in response.content.decode()
    due.refresh_from_db()
    assert due.status == DueStatus.CANCELLED
    assert AccountEntry.objects.filter(person=account).balance() == Decimal("0.00")
    answer = client.post(
        f"/api/accounts/dues/{due.pk}/reverse",
        json.dumps({"reason": "again"}),
        content_type="application/json",
        **bearer(staff[Role.FINANCE]),
    )
    assert answer.status_code == 422 and "只有已记账的才能冲正" in answer.json()["message"]


def test_due_reverse_api(client, tree, staff, account):
    from jumin.collection.models import Due

    due = Due.objects.get(person=account)
    url = f"/api/accounts/dues/{due.pk}/reverse"
    body = json.dumps({"reason": "x"})
    outsider = StaffFactory(role=Role.VILLAGE_ASSISTANT, region=tree.village_b1)
    for user, status in ((outsider, 404), (staff[Role.VILLAGE_ASSISTANT], 403)):
        answer = client.post(url, body, content_type="application/json", **bearer(user))
        assert answer.status_code == status
    answer = client.post(
        f"/api/accounts/dues/{due.pk}/reverse",
        json.dumps({"reason": "重复收费"}),
        content_type="application/json",
        **bearer(staff[Role.FINANCE]),
    )
    assert answer.status_code == 201
    assert sorted(entry["amount"] for entry in answer.json()) == ["-200.00", "-30.00"]
    assert AuditEntry.objects.filter(action="pension.due.reverse").count() == 1
