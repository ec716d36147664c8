"""Scope follows the person.

A person of village A1 has a year of history in township A — an enrolment, a grade choice, a
due paid in cash to A1's assistant (receipt, deposit) and posted to the personal account, and
an open due of the new year — when the county moves them to village B1. From then on every
page and endpoint about the person, their enrolment, dues, grade choices and account answers
township B (200) and not township A (404); township A keeps seeing the money it took — its
receipt and its deposit — as recorded, with no link to the person and no ID number.

Item 6: a partly used receipt book that county finance hands on to township B shows B only
the receipts issued in B (and the county every receipt).
"""

import datetime
import json
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from jumin.collection.models import Due, DueKind, DueStatus, DueStep, Receipt
from jumin.collection.services import receipts as services
from jumin.collection.services import reconciliation
from jumin.collection.tests.receipt_testing import hand_down, issue, record, register
from jumin.core.access import in_scope_of, mask_id_number, region_code_of, roles_with, scope
from jumin.core.models import AuditEntry, Role
from jumin.core.pages import may_open
from jumin.core.services.tokens import token_create
from jumin.pension.models import (
    AccountEntry,
    ContributionDue,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    EntrySource,
    GradeChoice,
)
from jumin.pension.services import enrolment as services_enrolment
from jumin.pension.tests.factories import EnrolmentFactory, PlanFactory
from jumin.people.services import person_update
from jumin.reports.queries import progress
from jumin.testing.factories import StaffFactory

PAID_YEAR, OPEN_YEAR = 2026, 2027
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MOVED_ON = datetime.datetime(2027, 2, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def on_moving_day():
    with time_machine.travel(MOVED_ON, tick=False):
        yield


@pytest.fixture
def people(tree, staff):
    """Who is who: township A's clerk and A1's assistant (the old township), township B's
    clerk and B1's assistant (the new one), and the county's staff."""
    return {
        "a_clerk": staff[Role.TOWNSHIP_CLERK],
        "a_assistant": staff[Role.VILLAGE_ASSISTANT],
        "b_clerk": StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b),
        "b_assistant": StaffFactory(role=Role.VILLAGE_ASSISTANT, region=tree.village_b1),
        "a_finance": StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_a),
        "finance": staff[Role.FINANCE],
        "county_clerk": staff[Role.COUNTY_CLERK],
    }


def a_year_in_township_a(tree, staff, people) -> dict:
    """The person's history in village A1, then the county's move to B1."""
    plans = {year: PlanFactory(year=year) for year in (PAID_YEAR, OPEN_YEAR)}
    person = EnrolmentFactory(
        village=tree.village_a1, grade=Decimal("300"), year=OPEN_YEAR, person__name="钱迁户"
    ).person
    enrolment = Enrolment.objects.get(person=person)
    paid = ContributionDue.objects.create_due(
        person=person,
        village=tree.village_a1,
        enrolment=enrolment,
        plan=plans[PAID_YEAR],
        year=PAID_YEAR,
        kind=DueKind.PERSONAL,
        grade=Decimal("200"),
        amount=Decimal("200"),
    )
    chain = {
        "finance": people["finance"],
        "township_finance": people["a_finance"],
        "labour_office": people["a_clerk"],
        "assistant": people["a_assistant"],
    }
    book = hand_down(register(people["finance"], 1, 10, series="皖A"), chain)
    receipt = issue(book, people["a_assistant"], paid, on=datetime.date(PAID_YEAR, 3, 10))
    deposit = record(
        people["a_assistant"], tree.village_a1.code, [receipt], on=datetime.date(PAID_YEAR, 3, 20)
    )
    at = timezone.now()
    Due.objects.filter(pk=paid.pk).transition(DueStep.CONFIRM, at=at)
    Due.objects.filter(pk=paid.pk).transition(DueStep.POST, at=at)
    entry = AccountEntry.objects.create(
        person=person,
        village=tree.village_a1,
        year=PAID_YEAR,
        source=EntrySource.PERSONAL,
        amount=Decimal("200"),
        booked_on=datetime.date(PAID_YEAR, 12, 31),
        due=paid,
    )
    open_due = ContributionDue.objects.create_due(
        person=person,
        village=tree.village_a1,
        enrolment=enrolment,
        plan=plans[OPEN_YEAR],
        year=OPEN_YEAR,
        kind=DueKind.PERSONAL,
        grade=Decimal("300"),
        amount=Decimal("300"),
    )
    person = person_update(
        acting_user=people["county_clerk"],
        person=person,
        data={"village_id": tree.village_b1.code},
        reason="户口迁至炉桥镇桥南村",
    )
    return {
        "person": person,
        "enrolment": enrolment,
        "grade": GradeChoice.objects.get(person=person, year=OPEN_YEAR),
        "paid_due": paid,
        "open_due": open_due,
        "entry": entry,
        "book": book,
        "receipt": receipt,
        "deposit": deposit,
    }


@pytest.fixture
def moved(tree, staff, people, on_moving_day):
    return a_year_in_township_a(tree, staff, people)


def about_the_person(m) -> list[tuple[str, str, str]]:
    """(method, URL, permission) of every page about the person and their records."""
    person, enrolment = m["person"], m["enrolment"]
    return [
        ("get", reverse("people:detail", args=[person.pk]), "person.view"),
        ("get", reverse("people:edit", args=[person.pk]), "person.edit"),
        ("get", reverse("pension:enrolment_detail", args=[enrolment.pk]), "enrolment.view"),
        ("get", reverse("pension:enrolment_change", args=[enrolment.pk]), "enrolment.change"),
        ("get", reverse("pension:enrolment_pause", args=[enrolment.pk]), "enrolment.change"),
        ("get", reverse("pension:grade_choose", args=[person.pk, OPEN_YEAR]), "grade.choose"),
        ("get", reverse("pension:account", args=[person.pk]), "account.view"),
    ]


def api_about_the_person(m) -> list[str]:
    return [
        f"/api/persons/{m['person'].pk}",
        f"/api/enrolments/{m['enrolment'].pk}",
        f"/api/dues/{m['open_due'].pk}",
        f"/api/dues/{m['paid_due'].pk}",
        f"/api/accounts/{m['person'].id_number}",
    ]


def bearer(user) -> dict:
    _, key = token_create(acting_user=None, user=user, name="test")
    return {"Authorization": f"Bearer {key}"}


# --------------------------------------------------------------------------- the mechanism


def test_records_about_the_person_are_scoped_through_the_person(tree, people, moved):
    """The rows keep the village they were made in; their scope is where the person is now."""
    for record_ in (moved["enrolment"], moved["grade"], moved["open_due"], moved["entry"]):
        record_.refresh_from_db()
        assert record_.village_id == tree.village_a1.code  # as recorded, untouched
        assert region_code_of(record_) == tree.village_b1.code
        assert in_scope_of(people["b_assistant"], record_)
        assert not in_scope_of(people["a_assistant"], record_)
    event = EnrolmentEvent.objects.filter(enrolment=moved["enrolment"]).first()
    assert event is None or region_code_of(event) == tree.village_b1.code
    for model in (Enrolment, GradeChoice, Due, AccountEntry, EnrolmentEvent):
        assert scope(model.objects.all(), people["a_clerk"]).count() == 0, model
        assert scope(model.objects.all(), people["b_clerk"]).count() == model.objects.count()
    # the money A took stays A's: its receipt (by the region it was issued in) and deposit
    assert scope(Receipt.objects.all(), people["a_assistant"]).get() == moved["receipt"]
    assert not scope(Receipt.objects.all(), people["b_clerk"]).exists()


# --------------------------------------------------------------------------- pages and API


def test_new_township_sees_every_page_about_the_person(client, people, moved):
    for who in ("b_clerk", "b_assistant"):
        user = people[who]
        client.force_login(user)
        answers = {url: client.get(url).status_code for _m, url, _p in about_the_person(moved)}
        expected = {
            url: 200 if user.role in roles_with(permission) else 403
            for _m, url, permission in about_the_person(moved)
        }
        assert answers == expected, who
        assert 200 in answers.values()
        detail = client.get(reverse("pension:enrolment_detail", args=[moved["enrolment"].pk]))
        assert "桥南村" in detail.content.decode()  # where the person lives now
        client.logout()


def test_old_township_gets_404_on_every_page_about_the_person(client, people, moved):
    for who in ("a_clerk", "a_assistant"):
        client.force_login(people[who])
        answers = {url: client.get(url).status_code for _m, url, _p in about_the_person(moved)}
        # 403 where the role may not open the page at all (checked before the lookup)
        expected = {
            url: 404 if may_open(people[who], resolve(url).view_name) else 403
            for _m, url, _p in about_the_person(moved)
        }
        assert answers == expected, who
        assert 404 in expected.values()
        client.logout()


def test_the_api_follows_the_person(client, people, moved):
    for who in ("b_clerk", "b_assistant"):
        headers = bearer(people[who])
        for url in api_about_the_person(moved):
            assert client.get(url, headers=headers).status_code == 200, (who, url)
        body = json.loads(
            client.get(f"/api/enrolments/{moved['enrolment'].pk}", headers=headers).content
        )
        assert body["village_code"] == moved["person"].village_id
    for who in ("a_clerk", "a_assistant"):
        headers = bearer(people[who])
        answers = {
            url: client.get(url, headers=headers).status_code for url in api_about_the_person(moved)
        }
        assert {url: code for url, code in answers.items() if code != 404} == {}, who


def test_lists_and_exports_follow_the_person(client, people, moved):
    name = moved["person"].name
    pages = [
        (reverse("pension:enrolments"), {}),
        (reverse("contributions:dues"), {"year": OPEN_YEAR}),
        (reverse("contributions:dues"), {"year": PAID_YEAR}),
        (reverse("people:search_results"), {"q": name}),
        (reverse("people:export"), {"q": name}),
    ]
    endpoints = [
        ("/api/enrolments", {}),
        ("/api/dues", {"year": OPEN_YEAR}),
        ("/api/dues", {"year": PAID_YEAR}),
    ]
    for who, present in (("b_clerk", True), ("b_assistant", True), ("a_clerk", False)):
        client.force_login(people[who])
        for url, params in pages:
            response = client.get(url, params)
            assert response.status_code == 200, (who, url)
            content = b"".join(response) if response.streaming else response.content
            if url.endswith(".xlsx"):
                shown = _xlsx_has(content, name)
            elif "search" in url:  # the page repeats the name searched for
                shown = reverse("people:detail", args=[moved["person"].pk]) in content.decode()
            else:
                shown = name in content.decode()
            assert shown == present, (who, url, params)
        for url, params in endpoints:
            body = client.get(url, params, headers=bearer(people[who])).content.decode()
            assert (name in body) == present, (who, url, params)
        client.logout()
    # the village filter of the new township finds the person by where they live now
    client.force_login(people["b_clerk"])
    village = moved["person"].village_id
    page = client.get(reverse("pension:enrolments"), {"village": village})
    assert name in page.content.decode()
    body = client.get("/api/dues", {"village": village}, headers=bearer(people["b_clerk"]))
    assert name in body.content.decode()


def _xlsx_has(content: bytes, text: str) -> bool:
    import io

    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return any(
        text in str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def test_old_township_cannot_act_on_the_person_any_more(client, people, moved):
    """Pause the enrolment, choose a grade, reverse the account, take cash for the open due:
    404 or refused for township A, nothing written."""
    enrolment, person = moved["enrolment"], moved["person"]
    headers = bearer(people["a_clerk"])
    audit_before = AuditEntry.objects.order_by("pk").last().pk
    client.force_login(people["a_clerk"])
    pause = client.post(
        reverse("pension:enrolment_pause", args=[enrolment.pk]), {"reason": "unreachable"}
    )
    assert pause.status_code == 404
    grade = client.post(
        reverse("pension:grade_choose", args=[person.pk, OPEN_YEAR]), {"amount": "500"}
    )
    assert grade.status_code == 404
    assert (
        client.post(
            f"/api/enrolments/{enrolment.pk}/pause",
            {"reason": "unreachable"},
            content_type="application/json",
            headers=headers,
        ).status_code
        == 404
    )
    finance_a = StaffFactory(role=Role.FINANCE, region=people["a_clerk"].region)
    client.force_login(finance_a)
    reverse_page = client.post(
        reverse("pension:account_entry_reverse", args=[moved["entry"].pk]), {"reason": "错账"}
    )
    assert reverse_page.status_code == 404
    # cash for the open due from A1's assistant's own book
    with pytest.raises(Exception, match="不在您的辖区内"):
        issue(moved["book"], people["a_assistant"], moved["open_due"], number=2)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.PAYING
    assert GradeChoice.objects.get(person=person, year=OPEN_YEAR).amount == Decimal("300")
    assert AccountEntry.objects.count() == 1
    assert Due.objects.get(pk=moved["open_due"].pk).status == DueStatus.OPEN
    # the 404s wrote nothing but (possibly) their own view entries
    assert (
        not AuditEntry.objects.filter(pk__gt=audit_before)
        .exclude(action__endswith=".view")
        .exists()
    )


def test_new_township_acts_and_the_audit_names_where_the_person_lives(people, moved, tree):
    enrolment = services_enrolment.enrolment_pause(
        acting_user=people["b_clerk"], enrolment=moved["enrolment"], reason="unreachable"
    )
    assert enrolment.status == EnrolmentStatus.PAUSED
    entry = AuditEntry.objects.get(action="pension.enrolment.pause")
    assert entry.region_code == tree.village_b1.code
    # B1's assistant takes the cash of the open due; the receipt is B1's money
    finance = people["finance"]
    book = register(finance, 100, 110, series="皖B")
    for giver, receiver in (
        (finance, people["b_clerk"]),
        (people["b_clerk"], people["b_assistant"]),
    ):
        services.book_handover(acting_user=giver, book=book, receiver=receiver)
    book.refresh_from_db()
    receipt = issue(book, people["b_assistant"], moved["open_due"], number=100)
    assert receipt.region_id == tree.village_b1.code


# --------------------------------------------------------------------------- the money A took


def test_old_township_keeps_its_receipt_and_deposit_without_the_persons_details(
    client, people, moved
):
    person = moved["person"]
    hidden = (person.id_number, mask_id_number(person.id_number))
    person_link = reverse("people:detail", args=[person.pk])
    for who in ("a_clerk", "a_assistant"):
        client.force_login(people[who])
        for url in (
            reverse("collection:deposit_detail", args=[moved["deposit"].pk]),
            reverse("collection:reconciliations") + f"?day={PAID_YEAR}-03-10",
        ):
            page = client.get(url)
            assert page.status_code == 200, (who, url)
            content = page.content.decode()
            assert not any(text in content for text in hidden), (who, url)
            assert person_link not in content, (who, url)
        headers = bearer(people[who])
        receipt = json.loads(
            client.get(f"/api/collection/receipts/{moved['receipt'].pk}", headers=headers).content
        )
        assert receipt["amount"] == "200.00" and receipt["payer_name"] == person.name
        assert receipt["person_id"] is None  # no link to someone no longer theirs
        deposit = client.get(f"/api/deposits/{moved['deposit'].pk}", headers=headers)
        assert deposit.status_code == 200
        assert person.id_number not in deposit.content.decode()
        client.logout()
    # the holder's own book page lists the receipt as recorded, unlinked
    client.force_login(people["a_assistant"])
    page = client.get(reverse("collection:book_detail", args=[moved["book"].pk]))
    content = page.content.decode()
    assert page.status_code == 200 and "已迁出本辖区" in content
    assert person_link not in content and person.id_number not in content
    assert page.context["receipts"] == [moved["receipt"]]
    # and the new township does not see A's money
    for who in ("b_clerk", "b_assistant"):
        headers = bearer(people[who])
        assert (
            client.get(
                f"/api/collection/receipts/{moved['receipt'].pk}", headers=headers
            ).status_code
            == 404
        )
        assert (
            client.get(f"/api/deposits/{moved['deposit'].pk}", headers=headers).status_code == 404
        )


def test_reconciliation_keeps_the_money_with_the_village_that_took_it(tree, people, moved):
    """A1's March still holds its receipt and slip; the roster is the people living there now."""
    a1 = reconciliation.reconciliation_compute(people["a_clerk"], tree.village_a1, "2026-03")
    assert (a1.receipt_count, a1.receipt_sum, a1.roster_count) == (1, Decimal("200.00"), 0)
    assert not [d for d in a1.differences if d["kind"] == "payer_not_on_roster"]
    b1 = reconciliation.reconciliation_compute(people["b_clerk"], tree.village_b1, "2026-03")
    assert (b1.receipt_count, b1.roster_count) == (0, 1)


def test_progress_counts_the_person_where_they_live_now(tree, people, moved):
    """Decision: progress credits the township the person lives in now, paid dues included."""
    for year in (PAID_YEAR, OPEN_YEAR):
        report = progress.progress_report(people["county_clerk"], year=year)
        rows = {row.code: row for row in report.rows}
        assert rows[tree.township_b.code].enrolled == 1
        assert rows[tree.township_a.code].enrolled == 0
    rows = {
        row.code: row
        for row in progress.progress_report(people["county_clerk"], year=PAID_YEAR).rows
    }
    assert (rows[tree.township_b.code].paying, rows[tree.township_a.code].paying) == (1, 0)
    own = progress.progress_report(people["b_clerk"], year=PAID_YEAR)
    assert [(row.code, row.paying) for row in own.rows] == [(tree.township_b.code, 1)]


# --------------------------------------------------------------------------- query counts


def test_list_pages_do_not_grow_with_moved_people(client, tree, staff, people, on_moving_day):
    """Scoping joins the person: the list pages still answer in a fixed number of queries."""
    client.force_login(people["b_clerk"])
    pages = [
        (reverse("pension:enrolments"), {}),
        (reverse("contributions:dues"), {"year": OPEN_YEAR}),
        ("/api/dues", {"year": OPEN_YEAR}),
        ("/api/enrolments", {}),
    ]
    headers = bearer(people["b_clerk"])

    def counts():
        result = []
        for url, params in pages:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url, params, headers=headers).status_code == 200
            result.append(len(captured))
        return result

    first = a_year_in_township_a(tree, staff, people)
    counts()  # warm up (a token's first use records it)
    few = counts()
    for number in range(3):
        more = EnrolmentFactory(
            village=tree.village_a2, grade=Decimal("300"), year=OPEN_YEAR
        ).person
        ContributionDue.objects.create_due(
            person=more,
            village=tree.village_a2,
            plan=first["open_due"].contribution.plan,
            year=OPEN_YEAR,
            kind=DueKind.PERSONAL,
            grade=Decimal("300"),
            amount=Decimal("300"),
        )
        person_update(
            acting_user=people["county_clerk"],
            person=more,
            data={"village_id": (tree.village_b1, tree.village_b2)[number % 2].code},
        )
    assert counts() == few


# --------------------------------------------------------------------------- item 6


def test_a_handed_on_book_shows_each_township_only_its_receipts(client, tree, people, moved):
    """County finance takes A's partly used book back and hands it to township B."""
    book = moved["book"]
    path = [people["a_assistant"], people["a_clerk"], people["finance"], people["b_clerk"]]
    for giver, receiver in zip(path, path[1:], strict=False):
        services.book_handover(acting_user=giver, book=book, receiver=receiver)
    book.refresh_from_db()
    b_receipt = issue(book, people["b_clerk"], moved["open_due"], number=2)
    assert b_receipt.region_id == tree.village_b1.code
    a_receipt = moved["receipt"]

    client.force_login(people["b_clerk"])
    page = client.get(reverse("collection:book_detail", args=[book.pk]))
    assert page.status_code == 200
    assert page.context["receipts"] == [b_receipt]
    assert page.context["receipts_elsewhere"] == 1
    assert "另有 1 张票据" in page.content.decode()
    listed = json.loads(
        client.get(
            "/api/collection/receipts", {"book": book.pk}, headers=bearer(people["b_clerk"])
        ).content
    )
    assert [row["id"] for row in listed["results"]] == [b_receipt.pk]
    assert (
        client.get(
            f"/api/collection/receipts/{a_receipt.pk}", headers=bearer(people["b_clerk"])
        ).status_code
        == 404
    )

    client.force_login(people["finance"])
    page = client.get(reverse("collection:book_detail", args=[book.pk]))
    assert page.context["receipts"] == [a_receipt, b_receipt]
    assert page.context["receipts_elsewhere"] == 0
    listed = json.loads(
        client.get(
            "/api/collection/receipts", {"book": book.pk}, headers=bearer(people["finance"])
        ).content
    )
    assert [row["id"] for row in listed["results"]] == [a_receipt.pk, b_receipt.pk]

    # township A no longer holds the book, but its receipt stays in its receipt list
    headers = bearer(people["a_assistant"])
    assert client.get(f"/api/collection/books/{book.pk}", headers=headers).status_code == 404
    listed = json.loads(client.get("/api/collection/receipts", headers=headers).content)
    assert [row["id"] for row in listed["results"]] == [a_receipt.pk]
