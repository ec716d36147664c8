"""A small world with one of every object, in village A1 (seen by every role of the tree),
for the tests that walk every page and every API operation."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from jumin.collection.models import (
    BankStatementFile,
    BankStatementLine,
    Deposit,
    DueKind,
    DueStatus,
    LineResult,
    Receipt,
    ReceiptBook,
    ReceiptStatus,
    Reconciliation,
    TaxPaymentFile,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.core.models import JobRun, JobStatus, Role
from jumin.medical.models import Financing, HospitalLevel
from jumin.medical.services.claims import HospitalCaller, claim_submit
from jumin.medical.services.financing import financing_seed
from jumin.medical.tests.conftest import claim_data
from jumin.medical.tests.factories import HospitalFactory, MedicalEnrolmentFactory, seed_policy
from jumin.pension.models import (
    AccountEntry,
    Award,
    AwardStatus,
    ContributionDue,
    DeathReport,
    DeathSource,
    Enrolment,
    EnrolmentStatus,
    EntrySource,
    Holiday,
    LinkOutcome,
    Payroll,
    Posting,
    Recovery,
    SchemeLink,
    Transfer,
)
from jumin.pension.services.plans import plan_data_from_file, plan_seed
from jumin.pension.tests.factories import AwardFactory
from jumin.people.models import RosterImport
from jumin.testing.factories import HouseholdFactory, PersonFactory, SpecialStatusFactory

YEAR = 2026


@pytest.fixture
def world(tree, staff) -> dict:
    """One of each object the pages and endpoints show, all in village A1 (or the county's own
    where the object belongs to the county: a plan, a batch, a tax file, a statement)."""
    finance = staff[Role.FINANCE]
    assistant = staff[Role.VILLAGE_ASSISTANT]
    village = tree.village_a1
    plan, _ = plan_seed(
        actor=None, year=YEAR, region_code=tree.county.code, data=plan_data_from_file()
    )
    household = HouseholdFactory(village=village)
    person = PersonFactory(
        village=village,
        household=household,
        birth_date=datetime.date(1970, 5, 1),
        passbook_number="6230000000001111",
    )
    status = SpecialStatusFactory(person=person)
    enrolment = Enrolment.objects.create(
        person=person,
        village=village,
        status=EnrolmentStatus.PENDING_TOWNSHIP,
        applied_by=assistant,
    )
    due = ContributionDue.objects.create_due(
        person=person,
        village=village,
        enrolment=enrolment,
        plan=plan,
        year=YEAR,
        kind=DueKind.PERSONAL,
        grade=Decimal("100"),
        amount=Decimal("100"),
        status=DueStatus.OPEN,
    )
    batch = WithholdingBatch.objects.create(
        region=tree.county, bank="农商行", year=YEAR, round=1, line_count=1, amount_sum=100
    )
    WithholdingLine.objects.create(
        batch=batch,
        line_number=1,
        due=due,
        person=person,
        village=village,
        account_number=person.passbook_number,
        amount=100,
        result=LineResult.PENDING,
    )
    tax_file = TaxPaymentFile.objects.create(
        region=tree.county, file_name="tax.csv", sha256="1" * 64
    )
    book = ReceiptBook.objects.create(
        series="A",
        first_number=1,
        last_number=10,
        registered_by=finance,
        holder=assistant,
        holder_region=village,
    )
    receipt = Receipt.objects.create(
        book=book,
        series="A",
        number=1,
        status=ReceiptStatus.ISSUED,
        person=person,
        amount=Decimal("100"),
        payer_name=person.name,
        contribution_year=YEAR,
        region=village,
        issued_by=assistant,
        due=due,
    )
    deposit = Deposit.objects.create(
        village=village,
        bank="农商行",
        slip_number="SA1",
        deposited_on=datetime.date(YEAR, 3, 20),
        amount=Decimal("100"),
        depositor_name="甲",
        recorded_by=assistant,
    )
    Receipt.objects.filter(pk=receipt.pk).update(deposit=deposit)
    reconciliation = Reconciliation.objects.create(region=village, month=datetime.date(YEAR, 3, 1))
    statement = BankStatementFile.objects.create(
        region=tree.county, bank="农商行", file_name="statement.csv", sha256="2" * 64
    )
    BankStatementLine.objects.create(
        file=statement,
        region=tree.county,
        line_number=1,
        booked_on=datetime.date(YEAR, 3, 21),
        amount=Decimal("100"),
        reference="SA1",
    )
    entry = AccountEntry.objects.create(
        person=person, village=village, year=YEAR, source=EntrySource.PERSONAL, amount=100
    )
    dues_job = JobRun.objects.create(
        kind="collection.dues", region=tree.county, status=JobStatus.DONE
    )
    posting_job = JobRun.objects.create(
        kind="pension.posting", region=tree.county, status=JobStatus.DONE
    )
    Posting.objects.create(region=tree.county, year=YEAR, job=posting_job)
    interest_job = JobRun.objects.create(
        kind="pension.interest", region=tree.county, status=JobStatus.DONE, params={"year": 2025}
    )
    other_village = _other_county_village(tree)
    transfer = Transfer.objects.create(
        person=person,
        from_village=village,
        to_village=other_village,
        requested_on=datetime.date(YEAR, 3, 2),
        due_on=datetime.date(YEAR, 3, 23),
        created_by=assistant,
    )
    holiday = Holiday.objects.create(
        region_code=tree.county.code, day=datetime.date(YEAR, 11, 5), name="县庆"
    )
    link = SchemeLink.objects.create(
        person=person,
        village=village,
        employee_years=5,
        outcome=LinkOutcome.TO_RESIDENT,
        created_by=assistant,
    )
    import_job = JobRun.objects.create(
        kind="people.roster_import",
        region=village,
        status=JobStatus.DONE,
        finished_at=timezone.now(),
    )
    roster_import = RosterImport.objects.create(
        job=import_job,
        region=village,
        file_name="roster.csv",
        file_sha256="3" * 64,
        stored_path="",
        mode=RosterImport.Mode.ALL_OR_NOTHING,
        created_by=assistant,
    )
    award = Award.objects.create(
        person=person,
        village=village,
        status=AwardStatus.APPLIED,
        start_month=datetime.date(2030, 6, 1),
        applied_by=assistant,
    )
    # medical enrolment and financing (H4): the person is covered for the year
    financing_seed(acting_user=None, region_code=tree.county.code)
    medical_financing = Financing.objects.get(region=tree.county, coverage_year=YEAR)
    medical_enrolment = MedicalEnrolmentFactory(
        person=person, coverage_year=YEAR, created_by=assistant
    )
    # hospitals, policy and claims (H5)
    medical_policy = seed_policy(tree.county.code, YEAR)
    hospital = HospitalFactory(code="W0001", level=HospitalLevel.TOWNSHIP, region=tree.township_a)
    claim, _ = claim_submit(
        acting_user=None, data=claim_data(person, hospital), caller=HospitalCaller(hospital)
    )
    paid_award = AwardFactory(village=village)
    payroll = Payroll.objects.create(region=tree.county, month=datetime.date(YEAR, 3, 1))
    death_report = DeathReport.objects.create(
        person=paid_award.person,
        village=village,
        death_date=datetime.date(YEAR, 2, 10),
        source=DeathSource.PUBLIC_SECURITY,
    )
    recovery = Recovery.objects.create(
        award=paid_award,
        person=paid_award.person,
        village=village,
        death_date=datetime.date(YEAR, 2, 10),
        overpaid=Decimal("0.00"),
        account_part=Decimal("0.00"),
        outstanding=Decimal("0.00"),
    )
    return {
        "award": award,
        "medical_financing": medical_financing,
        "medical_enrolment": medical_enrolment,
        "tree": tree,
        "staff": staff,
        "payroll": payroll,
        "death_report": death_report,
        "recovery": recovery,
        "plan": plan,
        "hospital": hospital,
        "medical_policy": medical_policy,
        "claim": claim,
        "household": household,
        "person": person,
        "status": status,
        "enrolment": enrolment,
        "due": due,
        "batch": batch,
        "tax_file": tax_file,
        "book": book,
        "receipt": receipt,
        "deposit": deposit,
        "reconciliation": reconciliation,
        "statement": statement,
        "entry": entry,
        "dues_job": dues_job,
        "posting_job": posting_job,
        "interest_job": interest_job,
        "transfer": transfer,
        "holiday": holiday,
        "link": link,
        "roster_import": roster_import,
        "year": YEAR,
    }


def _other_county_village(tree):
    """A village of a second county (341126), the other end of the world's transfer."""
    from jumin.core.models import Region, RegionLevel

    county = Region.objects.create(
        code="341126000000", name="凤阳县", level=RegionLevel.COUNTY, parent=tree.city
    )
    township = Region.objects.create(
        code="341126100000", name="府城镇", level=RegionLevel.TOWNSHIP, parent=county
    )
    return Region.objects.create(
        code="341126100001", name="府城村", level=RegionLevel.VILLAGE, parent=township
    )
