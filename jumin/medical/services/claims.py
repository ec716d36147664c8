"""Claims: taken from a hospital (API) or the counter, checked, stored, and settled.

``claim_submit`` stores a claim with its lines and settles the person's year in the same
transaction, so nothing is ever half-stored. The natural key is hospital × invoice number:
the same submission again answers the claim already stored (``created`` False); a different
one with the same invoice number is refused (the invoice was already reimbursed).

``resettle`` settles person-years set-based: one query for their claims, one for the current
settlements, one for the special statuses, the pure ``settlement.settle_year`` for each year,
and one ``bulk_create`` of reversing rows and new rows for the claims whose result changed
(a year whose results are the same writes nothing: re-settling is idempotent). A late claim,
a corrected claim (an accident's investigation decided) or a corrected policy re-settles.

``trial`` settles a claim against the person's year and a named policy without storing
anything: the same code path, so the same amounts and explanation as the real settlement.

Which amounts debit the fund (for the lead's fund ledger): ``Settlement.basic`` the pooled
basic medical fund, ``critical_illness`` the critical-illness insurance (funded by a slice of
the basic fund), ``assistance`` the medical-assistance fund; reversing rows carry the same
amounts negated.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone

from jumin.core import audit
from jumin.core.access import require, require_in_scope, scope
from jumin.core.money import MoneyError
from jumin.core.money import parse as parse_money
from jumin.medical import settlement
from jumin.medical.data.icd10 import diagnosis_name
from jumin.medical.models import (
    Claim,
    ClaimChannel,
    ClaimKind,
    ClaimLine,
    Hospital,
    Investigation,
    LineClass,
    MedicalEnrolment,
    MedicalPolicy,
    Settlement,
)
from jumin.medical.queries.enrolment import coverage_on
from jumin.medical.registry import MedicalAction
from jumin.people.models import Person, SpecialStatus, SpecialStatusKind
from jumin.people.rules import IdNumberError, parse_id_number

MAX_LINES = 500
WRITE_BATCH = 10000
# the medical-assistance class of a special status (POLICY §3.3)
ASSISTANCE_CLASS = {
    SpecialStatusKind.EXTREME_POVERTY: "1",
    SpecialStatusKind.SUBSISTENCE_ALLOWANCE: "1",
    SpecialStatusKind.POVERTY_MONITORED: "2",
}


@dataclass(frozen=True)
class HospitalCaller:
    """A caller authenticated by a hospital's token: it sees and submits that hospital's
    claims only."""

    hospital: Hospital
    token_prefix: str = ""


@dataclass
class LineIn:
    name: str
    line_class: str
    amount: Decimal
    code: str = ""


@dataclass
class ClaimData:
    id_number: str
    hospital_code: str
    kind: str
    invoice_number: str
    admission_date: datetime.date
    discharge_date: datetime.date
    diagnosis: str
    total: Decimal
    lines: list = field(default_factory=list)  # LineIn
    special_item: str = ""
    out_of_area_filed: bool = False

    def digest(self) -> str:
        payload = {
            "id_number": self.id_number,
            "hospital": self.hospital_code,
            "kind": self.kind,
            "invoice": self.invoice_number,
            "admission": self.admission_date.isoformat(),
            "discharge": self.discharge_date.isoformat(),
            "diagnosis": self.diagnosis,
            "total": f"{self.total:.2f}",
            "special_item": self.special_item,
            "filed": self.out_of_area_filed,
            "lines": [
                [line.code, line.name, line.line_class, f"{line.amount:.2f}"] for line in self.lines
            ],
        }
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def class_totals(lines) -> dict:
    totals = {value: Decimal("0.00") for value in LineClass.values}
    for line in lines:
        totals[line.line_class] += line.amount
    return totals


# --------------------------------------------------------------------------- checking


@dataclass
class Checked:
    """A claim that passed every check, with what settling it needs."""

    person: Person
    hospital: Hospital
    policy: MedicalPolicy
    data: ClaimData
    claim_input: settlement.ClaimInput


def _person(acting_user, caller, id_number: str) -> Person:
    try:
        number = parse_id_number(id_number or "", today=datetime.date.today()).number
    except IdNumberError as error:
        raise ValidationError({"id_number": f"身份证号：{error}"}) from None
    persons = Person.objects.select_related("village").filter(id_number=number)
    if caller is None:
        persons = scope(persons, acting_user)  # out of the clerk's region: as if unknown
    person = persons.first()
    if person is None:
        raise ValidationError({"id_number": f"身份证号：没有参保人 {number}"})
    return person


def check_claim(*, acting_user, data: ClaimData, caller: HospitalCaller | None = None) -> Checked:
    """Every refusal of a claim, naming the field or line (one ValidationError)."""
    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    hospital = Hospital.objects.filter(code=(data.hospital_code or "").strip()).first()
    if caller is not None and (hospital is None or hospital.pk != caller.hospital.pk):
        raise ValidationError(
            {
                "hospital_code": f"医疗机构编码：本令牌属于{caller.hospital.name}，不能提交其他医疗机构的补偿"
            }
        )
    if hospital is None:
        add("hospital_code", f"医疗机构编码：没有定点医疗机构“{data.hospital_code}”")
    elif not hospital.active:
        add("hospital_code", f"医疗机构编码：{hospital.name}已不是有效的定点医疗机构")
    if data.kind not in ClaimKind.values:
        add("kind", f"类别：不认识“{data.kind}”")
    invoice = (data.invoice_number or "").strip()
    if not invoice or len(invoice) > 40:
        add("invoice_number", "发票号：必须填写（最多40个字符）")
    if not data.lines:
        add("lines", "费用明细：至少要有一行")
    if len(data.lines) > MAX_LINES:
        add("lines", f"费用明细：最多 {MAX_LINES} 行")
    for number, line in enumerate(data.lines, start=1):
        if line.line_class not in LineClass.values:
            add("lines", f"费用明细第{number}行：类别应为 a（甲类）、b（乙类）或 self（自费）")
        if line.amount < 0:
            add("lines", f"费用明细第{number}行：金额不能为负数")
        if not (line.name or "").strip():
            add("lines", f"费用明细第{number}行：缺少项目名称")
    diagnosis = (data.diagnosis or "").strip().upper()
    data.diagnosis = diagnosis
    if settlement.DIAGNOSIS_PATTERN.match(diagnosis) and diagnosis_name(diagnosis) is None:
        add("diagnosis", f"诊断编码：{diagnosis} 不在疾病分类目录内")
    try:
        person = _person(acting_user, caller, data.id_number)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                add(name, message)
        person = None
    policy = None
    if person is not None and data.admission_date and data.discharge_date:
        enrolment = coverage_on(person.pk, data.admission_date)
        if enrolment is None:
            add("admission_date", _not_covered(person, data.admission_date))
        policy = MedicalPolicy.objects.in_force(
            region_code=person.village_id, year=data.admission_date.year
        )
        if policy is None:
            add("admission_date", f"入院日期：没有 {data.admission_date.year} 年适用的待遇政策")
    totals = class_totals(data.lines)
    claim_input = settlement.ClaimInput(
        kind=data.kind,
        level=hospital.level if hospital else "township",
        total=data.total,
        class_a=totals["a"],
        class_b=totals["b"],
        self_paid=totals["self"],
        diagnosis=diagnosis,
        special_item=data.special_item or "",
        out_of_area_filed=data.out_of_area_filed,
        admission_date=data.admission_date,
        discharge_date=data.discharge_date,
        key=2**62,
    )
    parsed_policy = settlement.Policy.from_document(policy.document) if policy else None
    for name, message in settlement.claim_problems(claim_input, parsed_policy):
        label = {
            "total": "总费用",
            "discharge_date": "出院日期",
            "diagnosis": "诊断编码",
            "special_item": "特殊项目",
            "kind": "类别",
            "hospital": "医疗机构编码",
        }.get(name, name)
        add({"hospital": "hospital_code"}.get(name, name), f"{label}：{message}")
    if errors:
        raise ValidationError(errors)
    return Checked(person, hospital, policy, data, claim_input)


def _not_covered(person: Person, day: datetime.date) -> str:
    enrolment = MedicalEnrolment.objects.filter(person=person, coverage_year=day.year).first()
    if enrolment is not None and enrolment.status == "covered" and enrolment.covered_from:
        reason = f"（{enrolment.waiting_reason}）" if enrolment.waiting_reason else ""
        return f"入院日期：{day} 仍在等待期，{enrolment.covered_from} 起才享受待遇{reason}"
    return f"入院日期：{person.name} 未参加 {day.year} 年度居民医保"


# --------------------------------------------------------------------------- submitting


def claim_submit(
    *, acting_user, data: ClaimData, caller: HospitalCaller | None = None
) -> tuple[Claim, bool]:
    """Store and settle a claim; (claim, created). The same submission again: (claim, False)."""
    if caller is None:
        require(acting_user, "claim.submit")
    digest = data.digest()
    existing = _existing(data, digest, acting_user, caller)
    if existing is not None:
        return existing, False
    checked = check_claim(acting_user=acting_user, data=data, caller=caller)
    totals = class_totals(data.lines)
    try:
        with transaction.atomic():
            _lock_person(checked.person.pk)
            claim = Claim.objects.create(
                person=checked.person,
                hospital=checked.hospital,
                coverage_year=data.admission_date.year,
                kind=data.kind,
                channel=ClaimChannel.COUNTER if caller is None else ClaimChannel.HOSPITAL,
                invoice_number=data.invoice_number.strip(),
                admission_date=data.admission_date,
                discharge_date=data.discharge_date,
                diagnosis=data.diagnosis,
                special_item=data.special_item or "",
                out_of_area_filed=data.out_of_area_filed,
                investigation=Investigation.PENDING
                if data.kind == ClaimKind.ACCIDENT
                else Investigation.NOT_NEEDED,
                total=data.total,
                class_a=totals["a"],
                class_b=totals["b"],
                self_paid=totals["self"],
                submission_digest=digest,
                created_by=acting_user if caller is None else None,
            )
            ClaimLine.objects.bulk_create(
                ClaimLine(
                    claim=claim,
                    number=number,
                    code=(line.code or "")[:40],
                    name=line.name.strip()[:100],
                    line_class=line.line_class,
                    amount=line.amount,
                )
                for number, line in enumerate(data.lines, start=1)
            )
            audit.record(
                actor=acting_user if caller is None else None,
                action=MedicalAction.CLAIM_SUBMIT,
                obj=claim,
                after={
                    "hospital": checked.hospital.code,
                    "invoice_number": claim.invoice_number,
                    "kind": claim.kind,
                    "total": claim.total,
                    "channel": claim.channel,
                    "token": caller.token_prefix if caller else "",
                },
            )
            resettle([(claim.person_id, claim.coverage_year)], reason="新补偿")
    except IntegrityError:
        existing = _existing(data, digest, acting_user, caller)
        if existing is not None:
            return existing, False
        raise
    return claim, True


def _existing(data: ClaimData, digest: str, acting_user, caller) -> Claim | None:
    claim = (
        Claim.objects.select_related("hospital", "person")
        .filter(
            hospital__code=(data.hospital_code or "").strip(),
            invoice_number=(data.invoice_number or "").strip(),
        )
        .first()
    )
    if claim is None:
        return None
    if caller is not None and claim.hospital_id != caller.hospital.pk:
        return None  # check_claim refuses the other hospital's code
    if claim.submission_digest != digest:
        raise ValidationError(
            {
                "invoice_number": f"发票号：{claim.hospital.name}的发票 {claim.invoice_number} 已经报销过"
            }
        )
    if caller is None:
        require_in_scope(acting_user, claim)
    return claim


def _lock_person(person_id: int) -> None:
    """Claims of one person settle one at a time (their year's accumulators)."""
    list(Person.objects.select_for_update().filter(pk=person_id).values_list("pk"))


def claim_investigate(*, acting_user, claim: Claim, approved: bool, reason: str = "") -> Claim:
    """Record the investigation of an accidental injury; the person's year is re-settled."""
    require(acting_user, "claim.investigate")
    require_in_scope(acting_user, claim)
    if claim.kind != ClaimKind.ACCIDENT:
        raise ValidationError({"investigation": "只有意外伤害需要调查"})
    value = Investigation.APPROVED if approved else Investigation.REFUSED
    with transaction.atomic():
        _lock_person(claim.person_id)
        before = claim.investigation
        Claim.objects.filter(pk=claim.pk).update(investigation=value)
        claim.investigation = value
        audit.record(
            actor=acting_user,
            action=MedicalAction.CLAIM_INVESTIGATE,
            obj=claim,
            before={"investigation": before},
            after={"investigation": value},
            reason=reason,
        )
        resettle([(claim.person_id, claim.coverage_year)], reason="意外伤害调查")
    return claim


# --------------------------------------------------------------------------- settling


def _claim_input(row: dict) -> settlement.ClaimInput:
    return settlement.ClaimInput(
        kind=row["kind"],
        level=row["hospital__level"],
        total=row["total"],
        class_a=row["class_a"],
        class_b=row["class_b"],
        self_paid=row["self_paid"],
        diagnosis=row["diagnosis"],
        special_item=row["special_item"],
        out_of_area_filed=row["out_of_area_filed"],
        investigation=row["investigation"],
        admission_date=row["admission_date"],
        discharge_date=row["discharge_date"],
        key=row["pk"],
    )


CLAIM_FIELDS = (
    "pk",
    "person_id",
    "person__village_id",
    "coverage_year",
    "kind",
    "hospital__level",
    "total",
    "class_a",
    "class_b",
    "self_paid",
    "diagnosis",
    "special_item",
    "out_of_area_filed",
    "investigation",
    "admission_date",
    "discharge_date",
)
COMPARED = (
    "policy_id",
    "policy_version",
    "eligible_cost",
    "basic",
    "critical_illness",
    "assistance",
    "patient",
    "explanation",
)


class Groups:
    """The persons' assistance classes by day, from their special statuses (one query)."""

    def __init__(self, person_ids):
        self.periods: dict[int, list] = {}
        rows = SpecialStatus.objects.filter(
            person_id__in=list(person_ids), kind__in=list(ASSISTANCE_CLASS)
        ).values_list("person_id", "kind", "valid_from", "valid_to")
        for person_id, kind, start, end in rows:
            self.periods.setdefault(person_id, []).append((ASSISTANCE_CLASS[kind], start, end))

    def on(self, person_id: int, day: datetime.date) -> str:
        found = [
            group
            for group, start, end in self.periods.get(person_id, ())
            if start <= day and (end is None or end >= day)
        ]
        return min(found) if found else ""


class Policies:
    def __init__(self):
        self.rows: dict = {}
        self.parsed: dict = {}

    def for_region(self, region_code: str, year: int) -> MedicalPolicy | None:
        key = (region_code[:6], year)
        if key not in self.rows:
            self.rows[key] = MedicalPolicy.objects.in_force(region_code=region_code, year=year)
        return self.rows[key]

    def parse(self, policy: MedicalPolicy) -> settlement.Policy:
        key = (policy.pk, policy.version)
        if key not in self.parsed:
            self.parsed[key] = settlement.Policy.from_document(policy.document)
        return self.parsed[key]


def settle_person_years(claim_rows: list[dict], groups: Groups, policies: Policies):
    """(claim row, policy row, result) of every claim in ``claim_rows``, each person-year
    settled in discharge-date order (pure apart from the policy cache)."""
    by_year: dict = {}
    for row in claim_rows:
        by_year.setdefault((row["person_id"], row["coverage_year"]), []).append(row)
    out = []
    for (person_id, year), rows in by_year.items():
        policy = policies.for_region(rows[0]["person__village_id"], year)
        if policy is None:
            continue
        parsed = policies.parse(policy)
        rows.sort(key=lambda r: (r["discharge_date"], r["admission_date"], r["pk"]))
        accumulated = settlement.Year()
        for row in rows:
            claim_input = _claim_input(row)
            result = settlement.settle(
                claim_input, parsed, accumulated, groups.on(person_id, row["admission_date"])
            )
            accumulated = result.year
            out.append((row, policy, result))
    return out


def resettle(person_years, *, reason: str, now: datetime.datetime | None = None) -> dict:
    """Settle these (person id, coverage year) pairs; write reversals and new rows only for
    the claims whose result changed. Returns counts: claims, written, reversed."""
    person_years = set(person_years)
    if not person_years:
        return {"claims": 0, "written": 0, "reversed": 0}
    person_ids = {person_id for person_id, _year in person_years}
    years = {year for _person, year in person_years}
    rows = [
        row
        for row in Claim.objects.filter(person_id__in=person_ids, coverage_year__in=years).values(
            *CLAIM_FIELDS
        )
        if (row["person_id"], row["coverage_year"]) in person_years
    ]
    current = {
        row["claim_id"]: row
        for row in Settlement.objects.filter(
            person_id__in=person_ids,
            coverage_year__in=years,
            reverses__isnull=True,
            reversal__isnull=True,
        ).values("pk", "claim_id", *COMPARED)
    }
    results = settle_person_years(rows, Groups(person_ids), Policies())
    return write_results(results, current, reason=reason)


def _same(old: dict, policy: MedicalPolicy, result: settlement.Result, stored: list) -> bool:
    if not (
        old["policy_id"] == policy.pk
        and old["policy_version"] == policy.version
        and old["eligible_cost"] == result.eligible_cost
        and old["basic"] == result.basic
        and old["critical_illness"] == result.critical_illness
        and old["assistance"] == result.assistance
        and old["patient"] == result.patient
    ):
        return False
    explanation = old["explanation"]
    if explanation and isinstance(explanation[0], dict):  # stored in words by an older version
        return explanation == result.explanation
    return explanation == stored


SETTLEMENT_COLUMNS = (
    "claim_id",
    "person_id",
    "coverage_year",
    "policy_id",
    "policy_version",
    "total",
    "eligible_cost",
    "basic",
    "critical_illness",
    "assistance",
    "patient",
    "explanation",
    "reverses_id",
    "reason",
    "created_at",
)
INSERT_SETTLEMENT = (
    f"INSERT INTO {Settlement._meta.db_table} ({', '.join(SETTLEMENT_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(SETTLEMENT_COLUMNS))})"
)


def write_results(results, current: dict, *, reason: str) -> dict:
    """Write the reversing and new rows of the claims whose result changed: one
    ``executemany`` of plain tuples (no model instances: building them was most of the
    write's cost)."""
    explanation_field = Settlement._meta.get_field("explanation")
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    reason = reason[:100]
    empty = explanation_field.get_db_prep_save([], connection)
    new_rows = []
    reversed_count = 0
    for row, policy, result in results:
        stored = result.stored_explanation
        old = current.get(row["pk"])
        if old is not None and _same(old, policy, result, stored):
            continue
        head = (row["pk"], row["person_id"], row["coverage_year"])
        if old is not None:
            reversed_count += 1
            new_rows.append(
                (
                    *head,
                    old["policy_id"],
                    old["policy_version"],
                    row["total"],
                    -old["eligible_cost"],
                    -old["basic"],
                    -old["critical_illness"],
                    -old["assistance"],
                    -old["patient"],
                    empty,
                    old["pk"],
                    reason,
                    created_at,
                )
            )
        new_rows.append(
            (
                *head,
                policy.pk,
                policy.version,
                row["total"],
                result.eligible_cost,
                result.basic,
                result.critical_illness,
                result.assistance,
                result.patient,
                explanation_field.get_db_prep_save(stored, connection),
                None,
                reason,
                created_at,
            )
        )
    if new_rows:
        with connection.cursor() as cursor:
            for start in range(0, len(new_rows), WRITE_BATCH):
                cursor.executemany(INSERT_SETTLEMENT, new_rows[start : start + WRITE_BATCH])
    return {
        "claims": len(results),
        "written": len(new_rows) - reversed_count,
        "reversed": reversed_count,
    }


def resettle_policy(*, policy: MedicalPolicy, reason: str, chunk: int = 2000) -> dict:
    """Re-settle every person-year a policy governs, in chunks of persons (each its own
    transaction when called outside one). Idempotent: a second run writes nothing."""
    region_prefix = policy.region.prefix
    pairs = (
        Claim.objects.filter(
            coverage_year=policy.coverage_year, person__village__pk__startswith=region_prefix
        )
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")
    )
    totals = {"claims": 0, "written": 0, "reversed": 0}
    person_ids = list(pairs)
    for start in range(0, len(person_ids), chunk):
        with transaction.atomic():
            counts = resettle(
                [(pid, policy.coverage_year) for pid in person_ids[start : start + chunk]],
                reason=reason,
            )
        for key in totals:
            totals[key] += counts[key]
    return totals


@transaction.atomic
def claims_resettle(*, acting_user, policy: MedicalPolicy, reason: str) -> dict:
    """A county administrator re-settles the years a policy governs (audited)."""
    require(acting_user, "claim.resettle")
    require_in_scope(acting_user, policy)
    counts = resettle_policy(policy=policy, reason=reason)
    audit.record(
        actor=acting_user,
        action=MedicalAction.CLAIM_RESETTLE,
        obj=policy,
        after=counts,
        reason=reason,
    )
    return counts


# --------------------------------------------------------------------------- trial settlement


def trial(
    *,
    acting_user,
    data: ClaimData,
    caller: HospitalCaller | None = None,
    policy: MedicalPolicy | None = None,
) -> tuple[Checked, settlement.Result]:
    """Settle ``data`` against the person's year (and ``policy``, else the one in force)
    without storing anything. The claim sorts after the year's stored claims of the same
    discharge and admission dates, as a stored claim's new id would."""
    if caller is None:
        require(acting_user, "claim.submit")
    checked = check_claim(acting_user=acting_user, data=data, caller=caller)
    policy = policy or checked.policy
    if policy.coverage_year != data.admission_date.year:
        raise ValidationError(
            {"policy": f"政策：{policy} 不是 {data.admission_date.year} 年的政策"}
        )
    rows = list(
        Claim.objects.filter(person=checked.person, coverage_year=data.admission_date.year)
        .exclude(hospital=checked.hospital, invoice_number=data.invoice_number.strip())
        .values(*CLAIM_FIELDS)
    )
    trial_row = {
        "pk": 2**62,
        "person_id": checked.person.pk,
        "person__village_id": checked.person.village_id,
        "coverage_year": data.admission_date.year,
        "kind": data.kind,
        "hospital__level": checked.hospital.level,
        "total": data.total,
        "class_a": checked.claim_input.class_a,
        "class_b": checked.claim_input.class_b,
        "self_paid": checked.claim_input.self_paid,
        "diagnosis": data.diagnosis,
        "special_item": data.special_item or "",
        "out_of_area_filed": data.out_of_area_filed,
        "investigation": Investigation.PENDING if data.kind == ClaimKind.ACCIDENT else "",
        "admission_date": data.admission_date,
        "discharge_date": data.discharge_date,
    }
    policies = Policies()
    policies.rows[(checked.person.village_id[:6], data.admission_date.year)] = policy
    results = settle_person_years([*rows, trial_row], Groups([checked.person.pk]), policies)
    for row, _policy, result in results:
        if row is trial_row:
            return checked, result
    raise Http404  # pragma: no cover - the trial row is always settled


def parse_amount(value, *, label: str) -> Decimal:
    try:
        return parse_money(value)
    except MoneyError as error:
        raise ValidationError({label: error.message}) from None
