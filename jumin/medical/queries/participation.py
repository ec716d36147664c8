"""参保率 (participation rate) of the resident medical insurance per township or village for a
coverage year: insured (enrolments covered) ÷ residents registered (living persons), with
the target. One grouped query per table, by the township or village part of the code."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import Substr

from jumin.core.access import require, require_in_scope, scope
from jumin.core.models import PREFIX_LENGTH, Region, RegionLevel
from jumin.medical import rules
from jumin.medical.models import CoverageStatus, MedicalEnrolment, ParticipationTarget
from jumin.people.models import Person

COLUMNS = (
    ("name", "区划"),
    ("code", "区划代码"),
    ("residents", "登记居民人数"),
    ("enrolled", "已登记参保人数"),
    ("insured", "已缴费参保人数"),
    ("rate", "参保率（%）"),
    ("target", "目标参保率（%）"),
    ("gap", "距目标（人）"),
)


@dataclass
class ParticipationRow:
    code: str
    name: str
    residents: int = 0
    enrolled: int = 0
    insured: int = 0
    target_rate: Decimal | None = None

    @property
    def rate(self) -> Decimal | None:
        return rules.participation_rate(self.insured, self.residents)

    @property
    def gap(self) -> int | None:
        if self.target_rate is None:
            return None
        needed = (self.target_rate * self.residents).to_integral_value()
        return max(0, int(needed) - self.insured)

    @property
    def rate_percent(self) -> Decimal | None:
        return self.cell("rate")

    @property
    def target_percent(self) -> Decimal | None:
        return self.cell("target")

    def cell(self, key: str):
        if key in ("rate", "target"):
            value = self.rate if key == "rate" else self.target_rate
            return None if value is None else (value * 100).quantize(Decimal("0.01"))
        return getattr(self, key)


def participation(user, *, region: Region, coverage_year: int) -> list[ParticipationRow]:
    """The rows under ``region`` (its townships, or a township's villages), then the total."""
    require(user, "medical_participation.view")
    require_in_scope(user, region)
    child_level = (
        RegionLevel.TOWNSHIP if region.level <= RegionLevel.COUNTY else RegionLevel.VILLAGE
    )
    length = PREFIX_LENGTH[child_level]
    prefix = region.prefix
    children = {
        child.code[:length]: ParticipationRow(child.code, child.name)
        for child in scope(
            Region.objects.filter(code__startswith=prefix, level=child_level), user
        ).order_by("code")
    }
    persons = scope(Person.objects.filter(village__pk__startswith=prefix), user)
    for row in (
        persons.filter(death_date__isnull=True)
        .annotate(part=Substr("village_id", 1, length))
        .values("part")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if row["part"] in children:
            children[row["part"]].residents = row["n"]
    enrolments = scope(
        MedicalEnrolment.objects.filter(
            coverage_year=coverage_year, person__village__pk__startswith=prefix
        ),
        user,
    )
    for row in (
        enrolments.annotate(part=Substr("person__village_id", 1, length))
        .values("part")
        .annotate(
            enrolled=Count("pk", filter=~Q(status=CoverageStatus.CANCELLED)),
            insured=Count("pk", filter=Q(status=CoverageStatus.COVERED)),
        )
        .order_by()
    ):
        if row["part"] in children:
            children[row["part"]].enrolled = row["enrolled"]
            children[row["part"]].insured = row["insured"]
    targets = dict(
        ParticipationTarget.objects.filter(
            coverage_year=coverage_year,
            region_id__in=[row.code for row in children.values()] + [region.code],
        ).values_list("region_id", "rate")
    )
    rows = list(children.values())
    for row in rows:
        row.target_rate = targets.get(row.code)
    total = ParticipationRow(region.code, f"{region.name}合计")
    total.residents = sum(row.residents for row in rows)
    total.enrolled = sum(row.enrolled for row in rows)
    total.insured = sum(row.insured for row in rows)
    total.target_rate = targets.get(region.code)
    return [*rows, total]
