"""One collection year, end to end, through the pages.

Every step is a person of the right role opening a page and posting the form it shows
(``browsing.submit`` reads the form and sends what a browser would), following the links the
pages offer. Where no page exists the test says so next to the call:

* the residents are in the roster already (the roster import's work; made with the factory),
  with one special status (severe disability, grade 1) recorded on the person;
* the bank's result file is built with ``GENERIC.result_file`` from the exported lines (the
  bank's side of the exchange) and uploaded on the batch page;
* the bank statement is a CSV in docs/formats/bank-statement.md, uploaded on its page;
* a second township clerk of township A plays the township finance office in the book's
  hand-down chain (staff are made by the staff pages; made with the factory).

Numbers, from the plan the county administrator types in (grades 100 / 200 / 500 yuan):

==========  =====================  =====  ==========================  ======
person      how they pay           grade  subsidy prov / city / cnty  ledger
==========  =====================  =====  ==========================  ======
bank_ok     bank, paid             500    40 / 10 / 20                570
bank_fail   bank failed → cash     100    20 /  5 / 10                135
cash        cash receipt           200    20 /  5 / 20 (edited)       245
disabled    government pays        100    20 /  5 / 10                135
==========  =====================  =====  ==========================  ======
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from jumin.collection.formats.withholding import GENERIC, BatchHeader, ExportLine
from jumin.collection.models import (
    BankStatementFile,
    BatchStatus,
    Channel,
    Deposit,
    DepositStatus,
    Due,
    DueKind,
    DueStatus,
    Receipt,
    ReceiptBook,
    ReceiptHandover,
    Reconciliation,
    ReconciliationStatus,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.collection.tests.browsing import links_of, submit
from jumin.core.jobs import QUEUES
from jumin.core.models import AuditEntry, Role
from jumin.pension.models import (
    AccountEntry,
    ContributionDue,
    ContributionPlan,
    Enrolment,
    EnrolmentStatus,
    GradeChoice,
    Posting,
)
from jumin.people.models import SpecialStatusKind
from jumin.testing.factories import PersonFactory, SpecialStatusFactory, StaffFactory

IMMEDIATE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": QUEUES}
}
D = Decimal
BANK = "农商行"
SERIES = "皖财农保E2E"


@pytest.fixture(autouse=True)
def immediate_tasks(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"


def path(response) -> str:
    """Where a successful post sends the person; else fail with the page's error messages."""
    if response.status_code != 302:
        errors = re.findall(
            r'class="[^"]*error[^"]*"[^>]*>(.*?)</', response.content.decode(), re.S
        )
        raise AssertionError((response.status_code, errors or text(response)[:3000]))
    return response["Location"]


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def as_user(client, user):
    client.logout()
    client.force_login(user)
    return client


def follow_link(client, page_url: str, target: str) -> str:
    """The link on ``page_url`` that goes to ``target`` (the page must offer it)."""
    page = client.get(page_url)
    assert page.status_code == 200, page_url
    links = links_of(page, page_url)
    assert any(link.split("?")[0] == target.split("?")[0] for link in links), (
        f"{page_url} has no link to {target}: {links}"
    )
    return target


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


@pytest.fixture
def year():
    return timezone.localdate().year


@pytest.fixture
def people(tree):
    """Four residents of village A1, ages 30–60, as the roster import left them."""

    def person(name, **fields):
        return PersonFactory(
            name=name, village=tree.village_a1, birth_date=datetime.date(1975, 3, 1), **fields
        )

    made = {
        "bank_ok": person("王银行", passbook_number="6230000000000001", passbook_bank=BANK),
        "bank_fail": person("李欠费", passbook_number="6230000000000002", passbook_bank=BANK),
        "cash": person("张现金"),
        "disabled": person("赵残疾"),
    }
    SpecialStatusFactory(
        person=made["disabled"],
        kind=SpecialStatusKind.SEVERE_DISABILITY,
        detail="1",
        valid_from=datetime.date(2020, 1, 1),
    )
    return made


def test_a_year_is_collected_end_to_end_through_the_pages(
    client, tree, staff, people, year, django_capture_on_commit_callbacks
):
    admin = staff[Role.COUNTY_ADMIN]
    clerk = staff[Role.COUNTY_CLERK]
    finance = staff[Role.FINANCE]
    township = staff[Role.TOWNSHIP_CLERK]
    assistant = staff[Role.VILLAGE_ASSISTANT]
    today = timezone.localdate()

    # ------------------------------------------------------------------ 1. the plan
    as_user(client, admin)
    plans_url = follow_link(client, "/", reverse("pension:plans"))
    create_url = follow_link(client, plans_url, reverse("pension:plan_create"))
    grades = [("100", "20", "5", "10"), ("200", "20", "5", "15"), ("500", "40", "10", "20")]
    typed = {
        "year": year,
        "region": tree.county.code,
        "document_number": f"定人社〔{year}〕1号",
        "collective_subsidy_limit": "500",
        "rules-0-kind": SpecialStatusKind.SEVERE_DISABILITY,
        "rules-0-detail": "1",
        "rules-0-precedence": "1",
        "rules-0-amount_rule": "full_minimum",
    }
    for n, (amount, province, city, county) in enumerate(grades):
        typed |= {
            f"grades-{n}-amount": amount,
            f"grades-{n}-subsidy_province": province,
            f"grades-{n}-subsidy_city": city,
            f"grades-{n}-subsidy_county": county,
        }
    response = submit(client, create_url, typed=typed)
    location = path(response)
    plan = ContributionPlan.objects.get(year=year, region=tree.county)
    assert location == reverse("pension:plan_detail", args=[plan.pk])
    assert plan.grades.count() == 3
    assert plan.government_paid_rules.count() == 1
    # the administrator corrects the county subsidy of the 200 grade (15 → 20)
    edit_url = follow_link(
        client,
        reverse("pension:plan_detail", args=[plan.pk]),
        reverse("pension:plan_edit", args=[plan.pk]),
    )
    page = client.get(edit_url)
    row = next(
        n for n in range(3) if f'name="grades-{n}-amount" value="200' in page.content.decode()
    )
    response = submit(client, edit_url, typed={f"grades-{row}-subsidy_county": "20"})
    assert path(response) == reverse("pension:plan_detail", args=[plan.pk])
    assert plan.grades.get(amount=200).subsidy_county == D("20.00")
    assert plan.grades.count() == 3
    assert ContributionPlan.objects.in_force(region_code=tree.village_a1.code, year=year) == plan
    assert sorted(
        AuditEntry.objects.filter(action__startswith="pension.plan.").values_list(
            "action", flat=True
        )
    ) == ["pension.plan.create", "pension.plan.update"]

    # the county's yearly target (任务数) for township A, from the progress page's link
    progress_url = follow_link(client, "/", reverse("reports:progress"))
    targets_url = follow_link(client, f"{progress_url}?year={year}", reverse("reports:targets"))
    response = submit(
        client,
        f"{targets_url}?year={year}",
        typed={f"count_{tree.township_a.code}": "5", f"amount_{tree.township_a.code}": "1000"},
    )
    assert path(response) == f"{progress_url}?year={year}"

    # ------------------------------------------------------------------ 2. enrolment
    as_user(client, assistant)
    enrolments_url = follow_link(client, "/", reverse("pension:enrolments"))
    register_url = follow_link(client, enrolments_url, reverse("pension:enrolment_register"))
    chosen = {"bank_ok": "", "bank_fail": "", "cash": "200.00", "disabled": ""}
    for key, person in people.items():
        lookup = f"{register_url}?id_number={person.id_number}"
        typed = {"id_number": person.id_number}
        if chosen[key]:
            typed["grade"] = chosen[key]
        response = submit(client, lookup, typed=typed)
        enrolment = Enrolment.objects.get(person=person)
        assert path(response) == reverse("pension:enrolment_detail", args=[enrolment.pk])
        assert enrolment.status == EnrolmentStatus.PENDING_TOWNSHIP
    # the same form again (a dropped connection) registers nobody twice
    person = people["cash"]
    response = client.post(register_url, {"id_number": person.id_number, "grade": "200.00"})
    assert path(response) == reverse(
        "pension:enrolment_detail", args=[Enrolment.objects.get(person=person).pk]
    )
    assert Enrolment.objects.count() == 4

    as_user(client, township)
    for enrolment in Enrolment.objects.all():
        detail = reverse("pension:enrolment_detail", args=[enrolment.pk])
        response = submit(
            client, detail, action=reverse("pension:enrolment_approve", args=[enrolment.pk])
        )
        assert path(response) == detail
    assert set(Enrolment.objects.values_list("status", flat=True)) == {
        EnrolmentStatus.PENDING_COUNTY
    }

    as_user(client, clerk)
    for enrolment in Enrolment.objects.all():
        detail = reverse("pension:enrolment_detail", args=[enrolment.pk])
        response = submit(
            client, detail, action=reverse("pension:enrolment_approve", args=[enrolment.pk])
        )
        assert path(response) == detail
    assert set(Enrolment.objects.values_list("status", flat=True)) == {EnrolmentStatus.PAYING}

    # ------------------------------------------------------------------ 3. grades
    # the bank customer chooses 500 on the grade page linked from the enrolment
    as_user(client, assistant)
    enrolment = Enrolment.objects.get(person=people["bank_ok"])
    detail = reverse("pension:enrolment_detail", args=[enrolment.pk])
    grade_url = follow_link(
        client, detail, reverse("pension:grade_choose", args=[people["bank_ok"].pk, year])
    )
    response = submit(client, grade_url, typed={"amount": "500.00"})
    assert path(response) == detail
    assert dict(GradeChoice.objects.filter(year=year).values_list("person__name", "amount")) == {
        "王银行": D("500.00"),
        "张现金": D("200.00"),
    }

    # ------------------------------------------------------------------ 4. dues
    as_user(client, clerk)
    dues_url = follow_link(client, "/", reverse("contributions:dues"))
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            client, dues_url, action=reverse("contributions:dues_generate"), typed={"year": year}
        )
    job_url = path(response)
    assert client.get(job_url).status_code == 200
    dues = {due.person_id: due for due in Due.objects.filter(year=year)}
    assert len(dues) == 4
    expected = {
        "bank_ok": (DueKind.PERSONAL, "500", "40", "10", "20"),
        "bank_fail": (DueKind.PERSONAL, "100", "20", "5", "10"),
        "cash": (DueKind.PERSONAL, "200", "20", "5", "20"),
        "disabled": (DueKind.GOVERNMENT_PAID, "100", "20", "5", "10"),
    }
    for key, (kind, amount, province, city, county) in expected.items():
        due = dues[people[key].pk]
        assert (
            due.kind,
            due.amount,
            due.contribution.subsidy_province,
            due.contribution.subsidy_city,
            due.contribution.subsidy_county,
        ) == (
            kind,
            D(amount),
            D(province),
            D(city),
            D(county),
        ), key
        assert due.status == DueStatus.OPEN
        assert due.contribution.plan == plan
    assert dues[people["disabled"].pk].channel == Channel.GOVERNMENT
    listed = client.get(f"{dues_url}?year={year}")
    assert listed.status_code == 200 and "王银行" in text(listed)
    # running the job again adds nothing
    with django_capture_on_commit_callbacks(execute=True):
        submit(
            client, dues_url, action=reverse("contributions:dues_generate"), typed={"year": year}
        )
    assert Due.objects.filter(year=year).count() == 4

    # ------------------------------------------------------------------ 5. bank withholding
    as_user(client, clerk)
    batches_url = follow_link(client, "/", reverse("collection:batches"))
    create_batch = follow_link(client, batches_url, reverse("collection:batch_create"))
    response = submit(client, create_batch, typed={"year": year, "bank": BANK})
    batch = WithholdingBatch.objects.get()
    batch_url = reverse("collection:batch_detail", args=[batch.pk])
    assert path(response) == batch_url
    assert (batch.line_count, batch.amount_sum, batch.round) == (2, D("600.00"), 1)
    assert set(
        Due.objects.filter(status=DueStatus.IN_BATCH).values_list("person__name", flat=True)
    ) == {
        "王银行",
        "李欠费",
    }
    export_url = follow_link(client, batch_url, reverse("collection:batch_export", args=[batch.pk]))
    exported = client.get(export_url)
    assert exported.status_code == 200
    rows = b"".join(exported.streaming_content if exported.streaming else [exported.content])
    rows = rows.decode().splitlines()
    assert rows[0].startswith("JUMIN-WH,1,") and rows[0].endswith(",2,600.00")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPORTED

    # the bank's side: deduct the 500, fail the 100 (no money on the passbook)
    lines = []
    for row in rows[1:]:
        number, id_number, name, account, amount = row.split(",")
        line = ExportLine(int(number), id_number, name, account, D(amount))
        if name == "王银行":
            lines.append((line, "00", ""))
        else:
            lines.append((line, "51", "余额不足"))
    header = BatchHeader(rows[0].split(",")[2], 2, D("600.00"))
    result = GENERIC.result_file(header, lines, deducted_on=today)
    upload = SimpleUploadedFile("result.csv", result, content_type="text/csv")
    response = submit(
        client,
        batch_url,
        action=reverse("collection:batch_result", args=[batch.pk]),
        files={"file": upload},
    )
    assert path(response) == batch_url
    bank_ok = Due.objects.get(person=people["bank_ok"])
    bank_fail = Due.objects.get(person=people["bank_fail"])
    assert (bank_ok.status, bank_ok.channel, bank_ok.paid_amount, bank_ok.paid_on) == (
        DueStatus.PAID,
        Channel.BANK,
        D("500.00"),
        today,
    )
    assert bank_fail.status == DueStatus.OPEN  # rolls to cash
    assert WithholdingLine.objects.get(due=bank_fail).bank_reason == "51 余额不足"
    # the same result file again changes nothing
    again = SimpleUploadedFile("result.csv", result, content_type="text/csv")
    submit(
        client,
        batch_url,
        action=reverse("collection:batch_result", args=[batch.pk]),
        files={"file": again},
    )
    batch.refresh_from_db()
    assert (batch.paid_count, batch.paid_sum, batch.failed_count) == (1, D("500.00"), 1)

    as_user(client, finance)
    response = submit(
        client, batch_url, action=reverse("collection:batch_confirm", args=[batch.pk])
    )
    assert path(response) == batch_url
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CONFIRMED and batch.confirmed_by == finance
    bank_ok.refresh_from_db()
    assert bank_ok.status == DueStatus.CONFIRMED
    # progress so far: one person has paid 500 yuan
    row = township_row(client, progress_url, year, tree.township_a.code)
    assert (row.enrolled, row.paying, row.amount, row.government_paid) == (4, 1, D("500.00"), 1)

    # ------------------------------------------------------------------ 6. the receipt book
    finance_office = StaffFactory(
        role=Role.TOWNSHIP_CLERK, region=tree.township_a, full_name="乡镇财政所"
    )
    books_url = follow_link(client, "/", reverse("collection:books"))
    register_book = follow_link(client, books_url, reverse("collection:book_register"))
    response = submit(
        client,
        register_book,
        typed={"series": SERIES, "first_number": 1001, "last_number": 1050},
    )
    book = ReceiptBook.objects.get(series=SERIES)
    book_url = reverse("collection:book_detail", args=[book.pk])
    assert path(response) == book_url
    handover_url = reverse("collection:book_handover", args=[book.pk])
    for giver, receiver in (
        (finance, finance_office),
        (finance_office, township),
        (township, assistant),
    ):
        as_user(client, giver)
        follow_link(client, book_url, handover_url)
        response = submit(client, handover_url, typed={"receiver": receiver.pk})
        assert path(response) == book_url
        book.refresh_from_db()
        assert book.holder == receiver
    assert list(ReceiptHandover.objects.filter(book=book).values_list("giver", "receiver")) == [
        (finance.pk, finance_office.pk),
        (finance_office.pk, township.pk),
        (township.pk, assistant.pk),
    ]
    assert book.holder_region_id == tree.village_a1.code

    # the assistant issues receipts against the open dues (the failed bank due included)
    as_user(client, assistant)
    issue_url = follow_link(client, book_url, reverse("collection:receipt_issue", args=[book.pk]))
    for key, number, amount in (("bank_fail", 1001, "100.00"), ("cash", 1002, "200.00")):
        person = people[key]
        due = Due.objects.get(person=person)
        found = f"{issue_url}?id_number={person.id_number}&year={year}"
        response = submit(
            client,
            found,
            typed={
                "due": due.pk,
                "number": number,
                "amount": amount,
                "issued_on": today.isoformat(),
            },
        )
        assert path(response) == book_url, key
        due.refresh_from_db()
        assert (due.status, due.channel, due.paid_amount) == (
            DueStatus.PAID,
            Channel.CASH,
            D(amount),
        ), key
    receipts = Receipt.objects.filter(book=book).order_by("number")
    assert [(r.number, r.amount, r.payer_name) for r in receipts] == [
        (1001, D("100.00"), "李欠费"),
        (1002, D("200.00"), "张现金"),
    ]

    # ------------------------------------------------------------------ 7. deposit and checks
    deposits_url = follow_link(client, "/", reverse("collection:deposits"))
    slip = f"S{year}0001"
    response = submit(
        client,
        deposits_url,
        typed={
            "bank": BANK,
            "slip_number": slip,
            "deposited_on": today.isoformat(),
            "amount": "300.00",
            "depositor_name": "村协理员",
            "receipt_ids": [str(r.pk) for r in receipts],
        },
    )
    deposit = Deposit.objects.get()
    deposit_url = reverse("collection:deposit_detail", args=[deposit.pk])
    assert path(response) == deposit_url
    assert deposit.status == DepositStatus.RECORDED and deposit.amount == D("300.00")
    assert set(Receipt.objects.filter(deposit=deposit).values_list("number", flat=True)) == {
        1001,
        1002,
    }
    check_url = reverse("collection:deposit_check", args=[deposit.pk])
    for user, status in (
        (township, DepositStatus.TOWNSHIP_CHECKED),
        (finance, DepositStatus.COUNTY_CHECKED),
    ):
        as_user(client, user)
        response = submit(client, deposit_url, action=check_url)
        assert path(response) == deposit_url
        deposit.refresh_from_db()
        assert deposit.status == status

    # ------------------------------------------------------------------ 8. bank statement
    statements_url = follow_link(
        client, reverse("collection:reconciliations"), reverse("collection:statements")
    )
    statement = (
        "JUMIN-STATEMENT,1,1,300.00\n入账日期,金额,凭证号,对方户名\n"
        f"{today.isoformat()},300.00,{slip},村协理员\n"
    ).encode()
    response = submit(
        client,
        statements_url,
        typed={"bank": BANK},
        files={"file": SimpleUploadedFile("statement.csv", statement, content_type="text/csv")},
    )
    statement_file = BankStatementFile.objects.get()
    assert path(response) == reverse("collection:statement_detail", args=[statement_file.pk])
    assert (statement_file.line_count, statement_file.amount_sum) == (1, D("300.00"))
    assert list(deposit.statement_lines.values_list("amount", flat=True)) == [D("300.00")]

    # ------------------------------------------------------------------ 9. reconciliation
    as_user(client, township)
    recon_url = follow_link(client, "/", reverse("collection:reconciliations"))
    day = client.get(recon_url)
    assert day.status_code == 200
    assert "1001" in text(day) and "1002" in text(day)
    response = submit(
        client,
        recon_url,
        action=reverse("collection:reconciliation_compute"),
        typed={"region": tree.village_a1.code, "month": today.strftime("%Y-%m")},
    )
    row = Reconciliation.objects.get(region=tree.village_a1)
    row_url = reverse("collection:reconciliation_detail", args=[row.pk])
    assert path(response) == row_url
    assert (row.receipt_count, row.receipt_sum, row.deposit_sum, row.statement_sum) == (
        2,
        D("300.00"),
        D("300.00"),
        D("300.00"),
    )
    assert row.differences == [], row.differences
    overdue = client.get(follow_link(client, deposits_url, reverse("collection:overdue")))
    assert overdue.context["report"].rows == []
    response = submit(
        client, row_url, action=reverse("collection:reconciliation_confirm", args=[row.pk])
    )
    assert path(response) == row_url
    row.refresh_from_db()
    assert row.status == ReconciliationStatus.CONFIRMED
    assert set(
        Due.objects.filter(status=DueStatus.CONFIRMED).values_list("person__name", flat=True)
    ) == {"王银行", "李欠费", "张现金"}

    # ------------------------------------------------------------------ 10. government funds
    as_user(client, finance)
    government_url = follow_link(client, recon_url, reverse("collection:government_paid"))
    response = submit(
        client,
        f"{government_url}?year={year}",
        typed={"scheme": "pension", "year": year, "amount": "100.00", "reference": f"财拨{year}01"},
    )
    assert path(response) == f"{government_url}?year={year}&scheme=pension"
    assert Due.objects.get(person=people["disabled"]).status == DueStatus.CONFIRMED

    # ------------------------------------------------------------------ 11. posting
    postings_url = follow_link(client, "/", reverse("contributions:postings"))
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, postings_url, typed={"year": year})
    job_url = path(response)
    assert client.get(job_url).status_code == 200
    assert set(Due.objects.filter(year=year).values_list("status", flat=True)) == {DueStatus.POSTED}
    posting = Posting.objects.get()
    assert (posting.due_count, posting.entry_count) == (4, 16)
    assert posting.amount_sum == D("1085.00")
    total = AccountEntry.objects.aggregate(total=Sum("amount"))["total"]
    paid = Due.objects.aggregate(total=Sum("paid_amount"))["total"]
    subsidies = ContributionDue.objects.aggregate(
        p=Sum("subsidy_province"), c=Sum("subsidy_city"), k=Sum("subsidy_county")
    )
    assert total == paid + subsidies["p"] + subsidies["c"] + subsidies["k"] == D("1085.00")
    # posting again adds nothing
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, postings_url, typed={"year": year})
    assert AccountEntry.objects.count() == 16

    # ------------------------------------------------------------------ 12. the accounts
    expected_entries = {
        "bank_ok": {
            "personal": "500",
            "subsidy_province": "40",
            "subsidy_city": "10",
            "subsidy_county": "20",
        },
        "bank_fail": {
            "personal": "100",
            "subsidy_province": "20",
            "subsidy_city": "5",
            "subsidy_county": "10",
        },
        "cash": {
            "personal": "200",
            "subsidy_province": "20",
            "subsidy_city": "5",
            "subsidy_county": "20",
        },
        "disabled": {
            "government_paid": "100",
            "subsidy_province": "20",
            "subsidy_city": "5",
            "subsidy_county": "10",
        },
    }
    as_user(client, assistant)
    for key, sources in expected_entries.items():
        person = people[key]
        account_url = follow_link(
            client,
            reverse("people:detail", args=[person.pk]),
            reverse("pension:account", args=[person.pk]),
        )
        page = client.get(account_url)
        assert page.status_code == 200
        shown = dict(page.context["by_source"])
        entries = dict(AccountEntry.objects.filter(person=person).values_list("source", "amount"))
        assert entries == {source: D(amount) for source, amount in sources.items()}, key
        assert page.context["balance"] == sum(D(a) for a in sources.values()), key
        assert len(shown) == len(sources), (key, shown)
        for label, amount in shown.items():
            assert str(label) in text(page) and amount in (D(a) for a in sources.values())

    # ------------------------------------------------------------------ 13. progress
    as_user(client, township)
    row = township_row(client, progress_url, year, tree.township_a.code)
    assert (row.enrolled, row.paying_age, row.paying, row.pending) == (4, 4, 4, 0)
    assert (row.personal_payers, row.lowest_grade_payers, row.government_paid) == (3, 1, 1)
    assert row.amount == D("800.00")  # 500 bank + 100 + 200 cash
    assert (row.target_count, row.completion) == (5, D("80.00"))
    assert row.amount_completion == D("80.00")
    as_user(client, clerk)
    county = client.get(f"{progress_url}?year={year}").context["report"]
    assert (county.total.enrolled, county.total.paying, county.total.amount) == (4, 4, D("800.00"))
    b_row = next(r for r in county.rows if r.code.startswith(tree.township_b.code[:9]))
    assert (b_row.enrolled, b_row.paying) == (0, 0)


def township_row(client, progress_url, year, township_code):
    """The township's row of the progress page the user sees (county or township level)."""
    page = client.get(f"{progress_url}?year={year}")
    assert page.status_code == 200
    report = page.context["report"]
    if report.region.code == township_code:
        return report.total
    return next(row for row in report.rows if row.code.startswith(township_code[:9]))
