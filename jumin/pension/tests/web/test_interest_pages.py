"""Pages and API of interest, statements, transfers and scheme links: every role, scope, PDF."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from jumin.core import pdf
from jumin.core.jobs import QUEUES
from jumin.core.models import AuditEntry, JobRun, RegionLevel, Role
from jumin.core.services.tokens import token_create
from jumin.pension.models import AccountEntry, EntrySource, InterestRate, InterestRun
from jumin.pension.services.interest import interest_credit
from jumin.pension.tests.factories import AccountEntryFactory, EnrolmentFactory, InterestRateFactory
from jumin.testing.factories import PersonFactory, RegionFactory, StaffFactory

IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}
}
COUNTY_ROLES = (Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.FINANCE, Role.AUDITOR, Role.LEADER)


def bearer(user):
    _, key = token_create(acting_user=None, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def village(tree):
    """Three people of A1 with a 2024 credit and 2025 interest; one of B1."""
    InterestRateFactory(year=2025)
    people = []
    for name, village in (
        ("张三", tree.village_a1),
        ("李四", tree.village_a1),
        ("王五", tree.village_a1),
        ("赵六", tree.village_b1),
    ):
        person = PersonFactory(village=village, name=name)
        AccountEntryFactory(
            person=person, year=2024, amount=Decimal("1000"), booked_on=datetime.date(2024, 5, 1)
        )
        AccountEntryFactory(
            person=person, year=2025, amount=Decimal("300"), booked_on=datetime.date(2025, 4, 2)
        )
        AccountEntryFactory(
            person=person,
            year=2025,
            amount=Decimal("40"),
            source=EntrySource.SUBSIDY_COUNTY,
            booked_on=datetime.date(2025, 4, 2),
        )
        people.append(person)
    interest_credit(acting_user=None, region_code="341125", year=2025)
    return people


@pytest.mark.parametrize("role", list(Role))
def test_the_statement_of_a_person_for_every_role_in_scope(client, staff, village, role):
    person = village[0]
    client.force_login(staff[role])
    page = client.get(reverse("pension:statement", args=[person.pk, 2025]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "张三" in text and "1000.00" in text and "15.00" in text and "1355.00" in text
    assert "县级补贴" in text and "经办人" in text
    api = client.get(f"/api/accounts/{person.id_number}/statement/2025", **bearer(staff[role]))
    body = api.json()
    assert body["opening"] == "1000.00" and body["interest"] == "15.00"
    assert body["closing"] == "1355.00" and body["contribution_years"] == 2
    assert body["sources"][0]["months"][3] == "300.00"


def test_a_statement_out_of_scope_is_404(client, tree, village):
    person = village[3]  # B1
    for role, region in (
        (Role.VILLAGE_ASSISTANT, tree.village_a1),
        (Role.TOWNSHIP_CLERK, tree.township_a),
    ):
        user = StaffFactory(role=role, region=region)
        client.force_login(user)
        assert client.get(reverse("pension:statement", args=[person.pk, 2025])).status_code == 404
        assert (
            client.get(reverse("pension:statement_pdf", args=[person.pk, 2025])).status_code == 404
        )
        url = reverse("pension:village_statements_pdf", args=[tree.village_b1.code, 2025])
        assert client.get(url).status_code == 404
        answer = client.get(f"/api/accounts/{person.id_number}/statement/2025", **bearer(user))
        assert answer.status_code == 404


def test_the_pdf_of_a_village_has_one_page_per_person_with_their_names(
    client, staff, tree, village
):
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    response = client.get(
        reverse("pension:village_statements_pdf", args=[tree.village_a1.code, 2025])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 3
    names = ["张三", "李四", "王五"]
    for page in pages:
        text = page.extract_text()
        assert sum(name in text for name in names) == 1 and "赵六" not in text
    assert sorted(n for n in names if n in pdf.pdf_text(response.content)) == sorted(names)
    html = client.get(reverse("pension:village_statements", args=[tree.village_a1.code, 2025]))
    assert html.content.decode().count('class="sheet"') == 3
    assert AuditEntry.objects.filter(action="pension.statement.print").count() == 2


def test_the_village_statements_take_four_queries_whatever_the_number(
    django_assert_max_num_queries, tree, village
):
    from jumin.pension.queries.statements import statements

    with django_assert_max_num_queries(4):
        statements(village, 2025)


@pytest.mark.parametrize("role", list(Role))
def test_the_interest_page_for_every_role(client, staff, village, role):
    client.force_login(staff[role])
    response = client.get(reverse("pension:interest"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "0.015000" in text
    assert ("开始结息" in text) == (role in (Role.FINANCE, Role.COUNTY_ADMIN))
    assert ("录入或修改记账利率" in text) == (role == Role.COUNTY_ADMIN)


def test_the_administrator_enters_a_rate_and_a_bad_one_is_refused(client, staff, tree):
    client.force_login(staff[Role.COUNTY_ADMIN])
    url = reverse("pension:interest_rate_save")
    data = {"region": tree.county.code, "year": 2026, "rate": "120", "mode": "A"}
    text = client.post(url, data).content.decode()
    assert "记账利率：不能大于 100%" in text and not InterestRate.objects.exists()
    text = client.post(url, {**data, "rate": "-1"}).content.decode()
    assert "不能小于 0%" in text
    client.post(url, {**data, "rate": "1.75", "mode": "C"})
    rate = InterestRate.objects.get()
    assert rate.rate == Decimal("0.017500") and rate.mode == "C"
    assert AuditEntry.objects.filter(action="pension.interest_rate.save").count() == 1
    client.force_login(staff[Role.FINANCE])
    assert client.post(url, data).status_code == 403
    client.force_login(staff[Role.COUNTY_ADMIN])
    text = client.post(url, {**data, "region": "999999000000"}).content.decode()
    assert InterestRate.objects.count() == 1


def test_the_year_end_job_and_the_ledger_check_from_the_page(
    client, settings, staff, tree, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    InterestRateFactory(year=2025)
    person = PersonFactory(village=tree.village_a1)
    AccountEntryFactory(
        person=person, year=2024, amount=Decimal("2000"), booked_on=datetime.date(2024, 5, 1)
    )
    client.force_login(staff[Role.FINANCE])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pension:interest_run"), {"year": 2025})
    assert "结息完成" in client.get(response["Location"]).content.decode()
    assert AccountEntry.objects.get(source=EntrySource.INTEREST).amount == Decimal("30.00")
    run = InterestRun.objects.get()
    assert run.job is not None and run.amount_sum == Decimal("30.00")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pension:interest_run"), {"year": 2025})
    assert AccountEntry.objects.filter(source=EntrySource.INTEREST).count() == 1
    client.force_login(staff[Role.COUNTY_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pension:ledger_check"))
    assert "全部一致" in client.get(response["Location"]).content.decode()
    job = JobRun.objects.get(kind="pension.ledger_check")
    assert job.result["ok"] is True
    # a cached figure that disagrees is found
    InterestRun.objects.filter(pk=run.pk).update(amount_sum=Decimal("31.00"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pension:ledger_check"))
    job = JobRun.objects.filter(kind="pension.ledger_check").order_by("-created_at").first()
    assert job.result["ok"] is False and "计息批次" in job.result["problems"][0]
    client.force_login(staff[Role.FINANCE])
    assert client.post(reverse("pension:ledger_check")).status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_interest_api_for_every_role(client, staff, village, role):
    headers = bearer(staff[role])
    rates = client.get("/api/interest/rates", **headers).json()
    assert rates[0]["rate"] == "0.015000"
    runs = client.get("/api/interest/runs", **headers).json()
    assert len(runs) == (1 if role in COUNTY_ROLES else 0)
    answer = client.post(
        "/api/interest/runs", json.dumps({"year": 2025}), content_type="application/json", **headers
    )
    assert answer.status_code == (202 if role in (Role.FINANCE, Role.COUNTY_ADMIN) else 403)


@pytest.fixture
def other(tree):
    county = RegionFactory(
        code="341126000000", name="凤阳县", level=RegionLevel.COUNTY, parent=tree.city
    )
    township = RegionFactory(
        code="341126100000", name="府城镇", level=RegionLevel.TOWNSHIP, parent=county
    )
    village = RegionFactory(
        code="341126100001", name="府城村", level=RegionLevel.VILLAGE, parent=township
    )
    return {"village": village, "admin": StaffFactory(role=Role.COUNTY_ADMIN, region=county)}


def test_a_transfer_through_the_api_and_pages_with_scope(client, staff, tree, other):
    person = EnrolmentFactory(village=tree.village_a1).person
    AccountEntryFactory(
        person=person, year=2025, amount=Decimal("500"), booked_on=datetime.date(2025, 4, 1)
    )
    receiving = bearer(other["admin"])
    answer = client.post(
        "/api/transfers",
        json.dumps({"id_number": person.id_number, "to_village_code": other["village"].code}),
        content_type="application/json",
        **receiving,
    )
    assert answer.status_code == 201, answer.content
    transfer_id = answer.json()["id"]
    assert (
        client.post(f"/api/transfers/{transfer_id}/advance", **receiving).json()["status"]
        == "accepted"
    )
    sending = bearer(staff[Role.COUNTY_CLERK])
    body = client.post(f"/api/transfers/{transfer_id}/advance", **sending).json()
    assert body["status"] == "sent" and body["amount"] == "500.00"
    # a village assistant of A1 sees it (from their village); of B1 not
    assert (
        client.get(
            f"/api/transfers/{transfer_id}", **bearer(staff[Role.VILLAGE_ASSISTANT])
        ).status_code
        == 200
    )
    outsider = StaffFactory(role=Role.VILLAGE_ASSISTANT, region=tree.village_b1)
    assert client.get(f"/api/transfers/{transfer_id}", **bearer(outsider)).status_code == 404
    assert client.post(f"/api/transfers/{transfer_id}/advance", **bearer(outsider)).status_code in (
        403,
        404,
    )
    client.force_login(staff[Role.COUNTY_CLERK])
    page = client.get(reverse("pension:transfers")).content.decode()
    assert person.name in page and "已转出" in page
    client.force_login(outsider)
    assert client.get(reverse("pension:transfer_detail", args=[transfer_id])).status_code == 404
    body = client.post(f"/api/transfers/{transfer_id}/advance", **receiving).json()
    assert body["status"] == "booked" and body["due_on"] is None
    assert AccountEntry.objects.filter(person=person).balance() == Decimal("500.00")


def test_a_late_step_is_highlighted(client, staff, tree, other, time_machine):
    person = EnrolmentFactory(village=tree.village_a1).person
    from jumin.pension.services.transfers import transfer_request

    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0))
    transfer_request(
        acting_user=other["admin"],
        person=person,
        to_village_code=other["village"].code,
        on=datetime.date(2026, 3, 2),
    )
    time_machine.move_to(datetime.datetime(2026, 4, 2, 10, 0))
    client.force_login(other["admin"])
    page = client.get(reverse("pension:transfers")).content.decode()
    assert 'class="late"' in page and "已超期" in page


def test_scheme_links_through_the_api_and_the_pages(client, staff, tree):
    person = EnrolmentFactory(village=tree.village_a1).person
    AccountEntryFactory(
        person=person, year=2020, amount=Decimal("600"), booked_on=datetime.date(2020, 4, 1)
    )
    headers = bearer(staff[Role.COUNTY_CLERK])
    answer = client.post(
        "/api/scheme-links",
        json.dumps(
            {
                "id_number": person.id_number,
                "employee_years": 5,
                "employee_balance": "3000.00",
                "overlap_months": {"2020": 4},
            }
        ),
        content_type="application/json",
        **headers,
    )
    assert answer.status_code == 201, answer.content
    link = answer.json()
    assert link["outcome"] == "to_resident" and link["refund"] == "200.00"
    assert (
        client.post(
            f"/api/scheme-links/{link['id']}/decide", **bearer(staff[Role.AUDITOR])
        ).status_code
        == 403
    )
    outsider = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    assert client.get(f"/api/scheme-links/{link['id']}", **bearer(outsider)).status_code == 404
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.post(reverse("pension:link_decide", args=[link["id"]]), follow=True)
    assert "制度衔接已办结" in response.content.decode()
    assert AccountEntry.objects.filter(person=person).balance() == Decimal("3400.00")
    bad = client.post(
        reverse("pension:link_create"),
        {
            "id_number": person.id_number,
            "employee_years": 3,
            "employee_balance": "1",
            "overlap": "2020-4",
        },
    ).content.decode()
    assert "应写成 年度:月数" in bad
