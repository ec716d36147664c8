"""The yearly dues job (应缴核定) and back payments (补缴): the pension prices its dues.

Every due is two rows: collection's ``Due`` (scheme "pension": what the payer owes and the
subsidy that comes with it) and the pension's ``ContributionDue`` beside it (plan, enrolment,
grade, subsidies by level, government-paid group), written in the same transaction.

``dues_generate`` makes one county's dues for a year, set-based and idempotent:

1. **Government-paid dues** (政府代缴, kind ``government_paid``, channel ``government``) for
   every paying enrollee whose special status is in force on ``plan.cutoff``; the group is the
   matching rule of highest precedence (``rules.government_paid_for``), the amount
   ``rules.government_paid_amount``. The candidates are found by one set-based query (driven
   from the statuses in force); then, in chunks of persons, one query for the statuses of a
   chunk, one insert of plain rows and one of their pension rows, because precedence is a
   rule, not a join.
2. **Personal dues** (个人缴费) for every other paying enrollee: per range of enrolment ids one
   ``INSERT ... SELECT`` of the dues, joining the grade chosen for the year (none = the plan's
   lowest) to the plan's grade rows for the subsidies, and one of their pension rows.

Decisions (the issue is silent):

* A government-paid person whose grade for the year (chosen, else the lowest) is higher than
  what the government pays owes **a personal due for the difference** (grade = the chosen
  grade, amount = grade − government-paid amount). The same holds when the government pays a
  fixed amount below the lowest grade.
* Subsidies: when ``plan.government_paid_subsidised`` the government-paid due carries the
  subsidy of the lowest grade and the personal difference due carries the rest of the chosen
  grade's subsidy (per level, never below 0), so the person gets the chosen grade's subsidy in
  total. When it is not subsidised, neither due of that person carries a subsidy.
* A person who already has a personal due for the year (made before their special status was
  recorded) gets no government-paid due from a re-run; they are counted as ``conflicts`` in
  the run's result for the county to settle by hand (cancel the personal due, run again).
* Alive means no death date recorded. Paying means enrolment status ``paying``.
* A grade chosen that is not in the plan (the plan changed after the choice) makes no due;
  those persons are counted as ``grade_not_in_plan``.

Idempotent and resumable: every insert skips persons who already have a non-cancelled due of
that kind and year (and ``ON CONFLICT DO NOTHING`` skips what a concurrent run made), each
chunk commits on its own, so a run killed half-way is finished by the next start.

Honest counts: each chunk's transaction adds what its statements actually inserted (their
row counts, not the rows offered) to the ``DueGeneration`` row and writes its audit entry, so
the summary and the audit trail never claim a due that did not commit, even when the run is
killed or another run made the same dues first. Two runs for the same county and year take
turns chunk by chunk (``jobs.exclusive``): the second finds done what the first made, and
neither waits on the other's uncommitted rows or deadlocks with it.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from jumin.collection.counties import (
    county_code_of,
    county_prefix,
    in_scope_or_system,
    require_or_system,
)
from jumin.collection.models import Channel, Due, DueKind, DueStatus
from jumin.core import audit, jobs, money
from jumin.core.database import refresh_statistics
from jumin.core.models import Region
from jumin.core.money import MoneyError
from jumin.pension import rules
from jumin.pension.models import (
    SCHEME,
    ContributionDue,
    ContributionPlan,
    DueGeneration,
    Enrolment,
    EnrolmentStatus,
    GradeChoice,
)
from jumin.pension.registry import PensionAction
from jumin.people.models import Person, SpecialStatus

CHUNK = 5000
ID_RANGE = 50000
FIRST_RANGE = 2000
ZERO = Decimal("0.00")


def plan_for_county(county_code: str, year: int) -> ContributionPlan:
    plan = ContributionPlan.objects.in_force(region_code=county_code, year=year)
    if plan is None:
        raise ValidationError({"year": f"{year}年没有适用于本县的缴费方案，请先建立缴费方案"})
    return plan


@dataclass
class PlanTerms:
    """The plan's grades and government-paid rules as plain values (one load per run)."""

    plan: ContributionPlan
    grades: list
    lowest: Decimal
    paid_rules: list = field(default_factory=list)

    @classmethod
    def load(cls, plan: ContributionPlan) -> "PlanTerms":
        grades = sorted(plan.grades.all(), key=lambda grade: grade.amount)
        if not grades:
            raise ValidationError({"year": f"{plan.year}年缴费方案没有缴费档次"})
        return cls(
            plan=plan,
            grades=grades,
            lowest=grades[0].amount,
            paid_rules=list(plan.government_paid_rules.all()),
        )

    def subsidy(self, amount: Decimal) -> tuple[Decimal, Decimal, Decimal]:
        return rules.subsidy_for(self.grades, amount)


def government_paid_split(terms: PlanTerms, rule, grade: Decimal) -> tuple[dict, dict | None]:
    """(government-paid due fields, personal difference due fields or None) for one person
    whose grade for the year is ``grade`` and whose group is ``rule``. Pure."""
    paid = rules.government_paid_amount(rule, terms.grades)
    subsidised = terms.plan.government_paid_subsidised
    lowest_subsidy = terms.subsidy(terms.lowest) if subsidised else (ZERO, ZERO, ZERO)
    government = {
        "grade": terms.lowest,
        "amount": paid,
        "subsidy_province": lowest_subsidy[0],
        "subsidy_city": lowest_subsidy[1],
        "subsidy_county": lowest_subsidy[2],
        "government_paid_kind": rule.kind,
        "government_paid_detail": rule.detail or "",
    }
    if grade <= paid:
        return government, None
    if subsidised:
        full = terms.subsidy(grade)
        rest = tuple(max(ZERO, a - b) for a, b in zip(full, lowest_subsidy, strict=True))
    else:
        rest = (ZERO, ZERO, ZERO)
    personal = {
        "grade": grade,
        "amount": grade - paid,
        "subsidy_province": rest[0],
        "subsidy_city": rest[1],
        "subsidy_county": rest[2],
        "government_paid_kind": rule.kind,
        "government_paid_detail": rule.detail or "",
    }
    return government, personal


def _paying_enrolments(prefix: str):
    return Enrolment.objects.filter(
        status=EnrolmentStatus.PAYING,
        village__pk__startswith=prefix,
        person__death_date__isnull=True,
    )


def _has_due(year: int, kinds) -> Exists:
    return Exists(
        Due.objects.filter(
            person_id=OuterRef("person_id"), scheme=SCHEME, year=year, kind__in=kinds
        ).exclude(status=DueStatus.CANCELLED)
    )


def _government_paid_candidates(terms, prefix, year) -> list[tuple]:
    """(enrolment id, person id, village id, has a personal due) of every paying enrollee of
    the county who may get a government-paid due: a special status of a kind the plan's rules
    cover is in force on the cut-off and no government-paid due of the year exists yet.

    One set-based query, driven from the (few) statuses in force rather than from the
    enrolments, read once; the chunks then page over this list."""
    kinds = {rule.kind for rule in terms.paid_rules}
    in_force = (
        SpecialStatus.objects.in_force(on=terms.plan.cutoff)
        .filter(kind__in=kinds)
        .values("person_id")
    )
    return list(
        _paying_enrolments(prefix)
        .filter(person_id__in=in_force)
        .annotate(
            done=_has_due(year, [DueKind.GOVERNMENT_PAID]),
            personal=_has_due(year, [DueKind.PERSONAL]),
        )
        .filter(done=False)
        .order_by("pk")
        .values_list("pk", "person_id", "village_id", "personal")
    )


DUE_COLUMNS = (
    "person_id",
    "village_id",
    "scheme",
    "year",
    "created_at",
    "kind",
    "channel",
    "amount",
    "subsidy",
    "status",
    "payment_reference",
)
CONTRIBUTION_COLUMNS = (
    "due_id",
    "enrolment_id",
    "plan_id",
    "generation_id",
    "grade",
    "subsidy_province",
    "subsidy_city",
    "subsidy_county",
    "collective_subsidy",
    "government_paid_kind",
    "government_paid_detail",
)


def _insert_rows(table: str, columns: tuple, rows: list[tuple], *, skip_conflicts: bool) -> int:
    """Plain rows (in ``columns`` order) into ``table``; with ``skip_conflicts`` any that a
    unique constraint refuses (a concurrent run made it) are skipped — what
    ``bulk_create(ignore_conflicts=True)`` does, without building a model object per row.
    ``ON CONFLICT DO NOTHING`` is understood by PostgreSQL and SQLite alike. Returns how many
    rows were inserted (both drivers sum the row counts of ``executemany``)."""
    if not rows:
        return 0
    names = ", ".join(columns)
    marks = ", ".join(["%s"] * len(columns))
    conflicts = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks}){conflicts}"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        return max(cursor.rowcount, 0)


def _insert_dues(rows: list[dict], common: dict, now_db) -> int:
    """The dues of ``rows`` (one dict per due: person, village, kind, channel and the
    ``government_paid_split`` fields) and their pension rows; the dues a concurrent run made
    meanwhile are skipped. Returns how many dues were inserted."""
    if not rows:
        return 0
    made = _insert_rows(
        Due._meta.db_table,
        DUE_COLUMNS,
        [
            (
                row["person_id"],
                row["village_id"],
                SCHEME,
                common["year"],
                now_db,
                row["kind"],
                row["channel"],
                row["amount"],
                sum((row[name] for name in SUBSIDIES), ZERO),
                DueStatus.OPEN.value,
                "",
            )
            for row in rows
        ],
        skip_conflicts=True,
    )
    # The dues just made, by person and kind: those of these persons with no pension row yet
    # (each chunk writes both in one transaction, so no other due lacks its row).
    made_ids = {
        (person_id, kind): pk
        for pk, person_id, kind in Due.objects.filter(
            scheme=SCHEME,
            year=common["year"],
            person_id__in={row["person_id"] for row in rows},
            contribution__isnull=True,
        ).values_list("pk", "person_id", "kind")
    }
    _insert_rows(
        ContributionDue._meta.db_table,
        CONTRIBUTION_COLUMNS,
        [
            (
                made_ids[row["person_id"], row["kind"]],
                row["enrolment_id"],
                common["plan_id"],
                common["generation_id"],
                row["grade"],
                row["subsidy_province"],
                row["subsidy_city"],
                row["subsidy_county"],
                ZERO,
                row["government_paid_kind"],
                row["government_paid_detail"],
            )
            for row in rows
            if (row["person_id"], row["kind"]) in made_ids
        ],
        skip_conflicts=False,
    )
    return made


SUBSIDIES = ("subsidy_province", "subsidy_city", "subsidy_county")


def _government_paid_step(terms, generation, prefix, year, progress, now) -> dict:
    """Government-paid dues (and personal difference dues) for one county, chunk by chunk."""
    cutoff = terms.plan.cutoff
    counts = {"government_paid": 0, "personal": 0, "conflicts": 0, "grade_not_in_plan": 0}
    if not terms.paid_rules:
        return counts
    kinds = {rule.kind for rule in terms.paid_rules}
    candidates = _government_paid_candidates(terms, prefix, year)
    grade_set = {grade.amount for grade in terms.grades}
    created_at = Due._meta.get_field("created_at").get_db_prep_save(now, connection)
    common = {"year": year, "plan_id": terms.plan.pk, "generation_id": generation.pk}
    splits: dict[tuple, tuple] = {}
    for offset in range(0, len(candidates), CHUNK):
        chunk = candidates[offset : offset + CHUNK]
        person_ids = [row[1] for row in chunk]
        statuses: dict[int, list] = {}
        for person_id, kind, detail in (
            SpecialStatus.objects.in_force(on=cutoff)
            .filter(person_id__in=person_ids, kind__in=kinds)
            .values_list("person_id", "kind", "detail")
        ):
            statuses.setdefault(person_id, []).append(rules.Status(kind, detail))
        chosen = dict(
            GradeChoice.objects.filter(person_id__in=person_ids, year=year).values_list(
                "person_id", "amount"
            )
        )
        paid_rows, personal_rows = [], []
        for enrolment_id, person_id, village_id, has_personal in chunk:
            rule = rules.government_paid_for(terms.paid_rules, statuses.get(person_id, []))
            if rule is None:
                continue
            if has_personal:
                counts["conflicts"] += 1
                continue
            grade = chosen.get(person_id, terms.lowest)
            if grade not in grade_set:
                counts["grade_not_in_plan"] += 1
                continue
            split = splits.get((rule.pk, grade))
            if split is None:  # few groups × grades
                split = splits[rule.pk, grade] = government_paid_split(terms, rule, grade)
            government, personal = split
            whose = {"person_id": person_id, "village_id": village_id, "enrolment_id": enrolment_id}
            paid_rows.append(
                {
                    **whose,
                    **government,
                    "kind": DueKind.GOVERNMENT_PAID.value,
                    "channel": Channel.GOVERNMENT.value,
                }
            )
            if personal is not None:
                personal_rows.append(
                    {**whose, **personal, "kind": DueKind.PERSONAL.value, "channel": ""}
                )
        with transaction.atomic():
            _take_turn(generation)
            made_paid = _insert_dues(paid_rows, common, created_at)
            made_personal = _insert_dues(personal_rows, common, created_at)
            _committed(generation, personal=made_personal, government_paid=made_paid)
            _chunk_audit(
                generation,
                "government_paid",
                chunk[0][0],
                chunk[-1][0],
                {"government_paid": made_paid, "personal": made_personal},
            )
        counts["government_paid"] += made_paid
        counts["personal"] += made_personal
        if progress is not None:
            progress.advance(len(chunk))
    return counts


def _personal_sql(plan_id: int) -> tuple[str, str]:
    """The two statements of one enrolment-id range (portable SQL): the personal dues
    (``INSERT ... SELECT``), then their pension rows (the open personal dues of the range's
    enrollees that have none yet: those the first statement just made)."""
    due = Due._meta.db_table
    contribution = ContributionDue._meta.db_table
    enrolment = Enrolment._meta.db_table
    person = Person._meta.db_table
    choice = GradeChoice._meta.db_table
    grade = ContributionPlan._meta.get_field("grades").related_model._meta.db_table
    dues = f"""
        INSERT INTO {due} (
            person_id, village_id, scheme, year, kind, amount, subsidy, status, channel,
            payment_reference, created_at
        )
        SELECT e.person_id, e.village_id, %s, %s, %s, g.amount,
            g.subsidy_province + g.subsidy_city + g.subsidy_county, %s, '', '', %s
        FROM {enrolment} e
        JOIN {person} p ON p.id = e.person_id
        LEFT JOIN {choice} c ON c.person_id = e.person_id AND c.year = %s
        JOIN {grade} g ON g.plan_id = {int(plan_id)} AND g.amount = COALESCE(c.amount, %s)
        WHERE e.status = %s AND e.village_id LIKE %s AND p.death_date IS NULL
          AND e.id >= %s AND e.id < %s
          AND NOT EXISTS (
            SELECT 1 FROM {due} d WHERE d.person_id = e.person_id AND d.year = %s
              AND d.scheme = %s AND d.kind IN (%s, %s) AND d.status <> %s
          )
        ON CONFLICT DO NOTHING
    """
    rows = f"""
        INSERT INTO {contribution} (
            due_id, enrolment_id, plan_id, generation_id, grade, subsidy_province,
            subsidy_city, subsidy_county, collective_subsidy, government_paid_kind,
            government_paid_detail
        )
        SELECT d.id, e.id, {int(plan_id)}, %s, g.amount, g.subsidy_province, g.subsidy_city,
            g.subsidy_county, 0, '', ''
        FROM {enrolment} e
        JOIN {due} d ON d.person_id = e.person_id AND d.year = %s AND d.scheme = %s
          AND d.kind = %s AND d.status = %s
        JOIN {grade} g ON g.plan_id = {int(plan_id)} AND g.amount = d.amount
        WHERE e.status = %s AND e.village_id LIKE %s AND e.id >= %s AND e.id < %s
          AND NOT EXISTS (SELECT 1 FROM {contribution} x WHERE x.due_id = d.id)
    """
    return dues, rows


def _take_turn(generation) -> None:
    """First statement of a chunk's transaction: runs for the same county and year take
    turns chunk by chunk (see the module doc)."""
    jobs.exclusive(f"collection.dues:{generation.region_id}:{generation.year}")


def _committed(generation, *, personal: int, government_paid: int) -> None:
    """Add a chunk's inserted dues to the run's summary row, in the chunk's transaction: the
    row counts what committed, whether or not the run reaches its end."""
    if personal or government_paid:
        DueGeneration.objects.filter(pk=generation.pk).update(
            personal_created=F("personal_created") + personal,
            government_paid_created=F("government_paid_created") + government_paid,
        )
    jobs.fault_point("dues.chunk")  # the kill-and-resume checks: killed before the commit


def _chunk_audit(generation, step: str, first, last, made: dict) -> None:
    """Each chunk commits on its own, so it carries its own audit entry (id range and the
    dues its statements inserted, by kind): a run killed before its summary still leaves
    every chunk on the record, and a chunk that inserted nothing claims nothing."""
    total = sum(made.values())
    if total:
        audit.record(
            actor=generation.created_by,
            action=PensionAction.DUES_CHUNK,
            obj=generation,
            after={
                "step": step,
                "first": str(first),
                "last": str(last),
                "made": total,
                **{kind: count for kind, count in made.items() if count},
            },
        )


def _personal_step(terms, generation, prefix, year, progress, now) -> None:
    bounds = _paying_enrolments(prefix).order_by("pk").values_list("pk", flat=True)
    first, last = bounds.first(), bounds.last()
    if first is None:
        return
    dues_sql, rows_sql = _personal_sql(terms.plan.pk)
    refresh_statistics(Due)
    start = first
    size = FIRST_RANGE  # small until the statistics know the table has rows
    while start <= last:
        stop = start + size
        with transaction.atomic(), connection.cursor() as cursor:
            _take_turn(generation)
            cursor.execute(
                dues_sql,
                [
                    SCHEME,
                    year,
                    DueKind.PERSONAL.value,
                    DueStatus.OPEN.value,
                    now,
                    year,
                    terms.lowest,
                    EnrolmentStatus.PAYING.value,
                    prefix + "%",
                    start,
                    stop,
                    year,
                    SCHEME,
                    DueKind.PERSONAL.value,
                    DueKind.GOVERNMENT_PAID.value,
                    DueStatus.CANCELLED.value,
                ],
            )
            made = max(cursor.rowcount, 0)
            if made:
                cursor.execute(
                    rows_sql,
                    [
                        generation.pk,
                        year,
                        SCHEME,
                        DueKind.PERSONAL.value,
                        DueStatus.OPEN.value,
                        EnrolmentStatus.PAYING.value,
                        prefix + "%",
                        start,
                        stop,
                    ],
                )
            _committed(generation, personal=made, government_paid=0)
            _chunk_audit(generation, "personal", start, stop - 1, {"personal": made})
        if progress is not None:
            progress.advance(_paying_enrolments(prefix).filter(pk__gte=start, pk__lt=stop).count())
        if size == FIRST_RANGE:
            refresh_statistics(Due)
            size = ID_RANGE
        start = stop


def _grade_not_in_plan(terms, prefix: str, year: int) -> int:
    """Paying enrollees whose chosen grade is not a grade of the plan (no due was made)."""
    grades = [grade.amount for grade in terms.grades]
    return (
        GradeChoice.objects.filter(year=year, village__pk__startswith=prefix)
        .exclude(amount__in=grades)
        .filter(Exists(_paying_enrolments(prefix).filter(person_id=OuterRef("person_id"))))
        .count()
    )


def dues_generate(*, acting_user, region_code: str, year: int, progress=None) -> DueGeneration:
    """Make the county's dues for ``year``: government-paid first, then personal dues.

    ``region_code`` is the county (6 or 12 digits). Re-running adds only what is missing;
    the returned ``DueGeneration`` counts what this run added. ``progress`` is a
    ``jumin.core.jobs.Progress`` (or None)."""
    require_or_system(acting_user, "due.generate")
    county = county_code_of(region_code)
    if not in_scope_or_system(acting_user, county):
        raise ValidationError({"county": "只能为本人管辖的县生成应缴记录"})
    region = Region.objects.filter(code=county).first()
    if region is None:
        raise ValidationError({"county": f"没有区划代码{county[:6]}"})
    plan = plan_for_county(county, year)
    terms = PlanTerms.load(plan)
    prefix = county_prefix(county)
    job = getattr(getattr(progress, "run", None), "pk", None)
    generation = DueGeneration.objects.create(
        region=region, year=year, created_by=acting_user, job_id=job
    )
    now = timezone.now()
    if progress is not None:
        progress.start(total=0, stage="统计参保人数")
        total = _paying_enrolments(prefix).count()
        progress.start(total=total, stage="政府代缴")
    refresh_statistics(Due)
    paid_counts = _government_paid_step(terms, generation, prefix, year, progress, now)
    if progress is not None:
        progress.start(total=_paying_enrolments(prefix).count(), stage="个人缴费")
    _personal_step(terms, generation, prefix, year, progress, now)
    generation.refresh_from_db(fields=["personal_created", "government_paid_created"])
    personal = generation.personal_created  # what this run's chunks committed
    government_paid = generation.government_paid_created
    result = {
        "county": county[:6],
        "year": year,
        "plan": plan.pk,
        "personal_created": personal,
        "government_paid_created": government_paid,
        "conflicts": paid_counts["conflicts"],
        "grade_not_in_plan": _grade_not_in_plan(terms, prefix, year),
        "dues_total": Due.objects.filter(scheme=SCHEME, year=year, village__pk__startswith=prefix)
        .exclude(status=DueStatus.CANCELLED)
        .count(),
    }
    with transaction.atomic():
        audit.record(
            actor=acting_user,
            action=PensionAction.DUES_GENERATE,
            obj=generation,
            object_label=f"{county[:6]} {year}年应缴核定",
            after=result,
        )
    generation.result = result
    if progress is not None:
        progress.finish(
            result,
            f"新生成个人缴费{personal}条、政府代缴{government_paid}条",
        )
    return generation


# --------------------------------------------------------------------------- back payment


def back_payment_due_create(*, acting_user, person: Person, year: int, grade) -> Due:
    """A 补缴 due for ``person`` and past ``year`` at ``grade`` (a grade of that year's plan).

    Subsidies only when ``plan.back_payment_subsidised``. The same request again returns the
    existing due (one per person, year and kind)."""
    require_or_system(acting_user, "due.generate")
    if not in_scope_or_system(acting_user, person.village_id):
        raise Http404
    plan = ContributionPlan.objects.in_force(region_code=person.village_id, year=year)
    if plan is None:
        raise ValidationError({"year": f"{year}年没有缴费方案，不能补缴"})
    terms = PlanTerms.load(plan)
    try:
        amount = money.parse(grade)
    except MoneyError:
        raise ValidationError({"grade": f"缴费档次：“{grade}”不是金额"}) from None
    if amount not in {g.amount for g in terms.grades}:
        valid = "、".join(str(g.amount) for g in terms.grades)
        raise ValidationError({"grade": f"缴费档次：{year}年没有{amount}元这一档，可选：{valid}"})
    enrolment = (
        Enrolment.objects.filter(person=person)
        .filter(Q(status=EnrolmentStatus.PAYING) | Q(status=EnrolmentStatus.PAUSED))
        .first()
    )
    if enrolment is None:
        raise ValidationError({"person": f"{person.name}不在正常缴费或暂停缴费状态，不能补缴"})
    subsidy = terms.subsidy(amount) if plan.back_payment_subsidised else (ZERO, ZERO, ZERO)
    with transaction.atomic():
        existing = (
            Due.objects.select_for_update(of=("self",))
            .filter(person=person, scheme=SCHEME, year=year, kind=DueKind.BACK_PAYMENT)
            .exclude(status=DueStatus.CANCELLED)
            .select_related("contribution")
            .first()
        )
        if existing is not None:
            if existing.contribution.grade != amount:
                raise ValidationError(
                    {"grade": f"{person.name}{year}年已有{existing.contribution.grade}元的补缴记录"}
                )
            return existing
        due = ContributionDue.objects.create_due(
            person=person,
            village_id=person.village_id,
            enrolment=enrolment,
            plan=plan,
            year=year,
            kind=DueKind.BACK_PAYMENT,
            grade=amount,
            amount=amount,
            subsidy_province=subsidy[0],
            subsidy_city=subsidy[1],
            subsidy_county=subsidy[2],
        )
        audit.record(
            actor=acting_user,
            action=PensionAction.BACK_PAYMENT_CREATE,
            obj=due,
            object_label=f"{person.name} {year}年补缴",
            after={"year": year, "grade": amount, "subsidy": [str(s) for s in subsidy]},
        )
    return due
