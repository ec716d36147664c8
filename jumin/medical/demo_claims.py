"""Demo data of hospitals, the policy and a coverage year of claims (``demo_medical_claims``).

Shaped like the medical city of domain/COUNTY.md: per insured person and year about 6.6 %
inpatient stays, outpatient pooling visits (scaled down to keep the demo small), 0.8 % chronic
outpatient, 1.2 % childbirth, 0.2 % accidental injuries and 0.7 % rabies vaccines; inpatient
stays spread over township health centres, the county hospitals (level 2), a level-3 city
hospital and hospitals out of the region, with costs that make the effective reimbursement
fall from about 80 % at the township to under 50 % outside; large stays reach critical-illness
insurance, and persons with 低保 / 特困 / monitored status get medical assistance.

Runs after the enrolment demo; when the year has no medical enrolments it enrols (covered from
1 January) the persons it uses. Deterministic (``chance``), set-based (bulk inserts, one
re-settlement of the touched person-years in chunks) and idempotent: claims have the natural
key hospital × invoice number, so a second run adds nothing.
"""

import datetime
import hashlib
from decimal import Decimal

from django.db import transaction

from jumin.collection.demo import chance
from jumin.core.models import Region, RegionLevel, User
from jumin.medical.models import (
    Claim,
    ClaimChannel,
    ClaimLine,
    CoverageStatus,
    Hospital,
    HospitalLevel,
    Investigation,
    MedicalEnrolment,
)
from jumin.medical.services import hospitals as hospital_services
from jumin.medical.services import policy as policy_services
from jumin.medical.services.claims import resettle
from jumin.people.models import Person

CENT = Decimal("0.01")
# kind → (events per person-year, diagnoses)
EVENTS = {
    "inpatient": (0.066, ["K35.8", "J18.9", "I63.9", "K80.2", "C34.1", "I21.0", "N20.0"]),
    "outpatient_pooling": (0.5, ["J06.9", "K29.7", "R50.9", "A09"]),
    "two_disease": (0.05, ["I10", "E11.9"]),
    "chronic_outpatient": (0.008, ["N18.5", "C50.9", "I50.0", "F20.0"]),
    "childbirth": (0.012, ["O80", "O82"]),
    "accidental_injury": (0.0023, ["S82.2", "S72.0", "S06.0"]),
    "special_item": (0.007, ["W54"]),
}
# inpatient stays by hospital kind: share, cost range (yuan)
INPATIENT_MIX = [
    ("township", 0.45, 2500, 7000),
    ("county", 0.35, 8000, 30000),
    ("city", 0.10, 20000, 90000),
    ("out", 0.10, 30000, 160000),
]


def _amount(low: float, high: float, value: float) -> Decimal:
    return Decimal(str(low + (high - low) * value)).quantize(CENT)


def demo_hospitals(county: Region) -> dict:
    """A township health centre per township, two county hospitals (level 2), a level-3 city
    hospital and one out of the region; the existing ones are kept."""
    made = {"township": {}}
    townships = Region.objects.filter(parent=county, level=RegionLevel.TOWNSHIP).order_by("code")
    for township in townships:
        hospital, _ = hospital_services.hospital_create(
            acting_user=None,
            code=f"WS{township.code[:9]}",
            name=f"{township.name}卫生院",
            level=HospitalLevel.TOWNSHIP,
            region_code=township.code,
        )
        made["township"][township.code] = hospital
    county_code = county.code
    made["county"] = [
        hospital_services.hospital_create(
            acting_user=None,
            code=f"XY{county_code[:6]}01",
            name=f"{county.name}人民医院",
            level=HospitalLevel.LEVEL_2,
            region_code=county_code,
        )[0],
        hospital_services.hospital_create(
            acting_user=None,
            code=f"XY{county_code[:6]}02",
            name=f"{county.name}中医院",
            level=HospitalLevel.LEVEL_2,
            region_code=county_code,
        )[0],
    ]
    made["city"] = [
        hospital_services.hospital_create(
            acting_user=None,
            code=f"SY{county_code[:4]}01",
            name="市第一人民医院",
            level=HospitalLevel.LEVEL_3,
            region_code=county_code,
            in_county=False,
        )[0]
    ]
    made["out"] = [
        hospital_services.hospital_create(
            acting_user=None,
            code=f"SW{county_code[:2]}01",
            name="省立医院（统筹区外）",
            level=HospitalLevel.OUT_OF_REGION,
            region_code=county_code,
            in_county=False,
        )[0]
    ]
    return made


def _ensure_enrolments(county_code: str, year: int, staff) -> int:
    prefix = county_code[:6]
    if MedicalEnrolment.objects.filter(coverage_year=year, village__pk__startswith=prefix).exists():
        return 0
    creator = staff if isinstance(staff, User) else User.objects.order_by("pk").first()
    persons = Person.objects.filter(village__pk__startswith=prefix, death_date__isnull=True)
    rows = [
        MedicalEnrolment(
            person_id=person_id,
            village_id=village_id,
            coverage_year=year,
            status=CoverageStatus.COVERED,
            enrolled_on=datetime.date(year - 1, 10, 15),
            covered_from=datetime.date(year, 1, 1),
            created_by=creator,
        )
        for person_id, village_id in persons.values_list("pk", "village_id").iterator()
    ]
    MedicalEnrolment.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _lines(kind: str, total: Decimal, seed: int, key: str) -> list[tuple[str, str, str, Decimal]]:
    """(code, name, class, amount): three services and up to five items adding up to ``total``."""
    own_share = (
        Decimal("0.04")
        if kind in ("outpatient_pooling", "two_disease")
        else Decimal(str(0.03 + 0.09 * chance(seed, "self", key)))
    )
    b_share = Decimal(str(0.10 + 0.15 * chance(seed, "b", key)))
    own = (total * own_share).quantize(CENT)
    class_b = (total * b_share).quantize(CENT)
    class_a = total - own - class_b
    service = (class_a * Decimal("0.3")).quantize(CENT)
    return [
        ("F001", "诊疗费", "a", (service * Decimal("0.4")).quantize(CENT)),
        (
            "F002",
            "床位费" if kind != "outpatient_pooling" else "注射费",
            "a",
            (service * Decimal("0.3")).quantize(CENT),
        ),
        (
            "F003",
            "检查费",
            "a",
            service
            - (service * Decimal("0.4")).quantize(CENT)
            - (service * Decimal("0.3")).quantize(CENT),
        ),
        ("Y001", "甲类药品", "a", class_a - service),
        ("Y002", "乙类药品", "b", class_b),
        ("Y003", "自费药品与耗材", "self", own),
    ]


def demo_medical_claims(
    *, county, year: int, seed: int, staff=None, notes: list | None = None
) -> int:
    """Hospitals, the default policy and a coverage year of claims for ``county`` (a Region or
    its code); returns the number of claims added (0 on a second run)."""
    county = county if isinstance(county, Region) else Region.objects.get(code=county)
    notes = notes if notes is not None else []
    with transaction.atomic():
        hospitals = demo_hospitals(county)
        policy_services.policy_seed(coverage_year=year, region_code=county.code)
        enrolled = _ensure_enrolments(county.code, year, staff)
    covered = list(
        MedicalEnrolment.objects.filter(
            coverage_year=year,
            status=CoverageStatus.COVERED,
            village__pk__startswith=county.code[:6],
            covered_from__isnull=False,
        ).values_list("person_id", "village_id", "covered_from")
    )
    last_day = datetime.date(year, 10, 31)
    planned = []
    for person_id, village_id, covered_from in covered:
        for kind, (rate, diagnoses) in EVENTS.items():
            key = f"{person_id}:{kind}"
            if chance(seed, "event", key) >= rate or covered_from > last_day:
                continue
            days = (last_day - covered_from).days
            admission = covered_from + datetime.timedelta(days=int(days * chance(seed, "day", key)))
            hospital, total, stay = _where(kind, hospitals, village_id, seed, key)
            planned.append((person_id, kind, hospital, total, admission, stay, diagnoses, key))
    existing = set(
        Claim.objects.filter(
            coverage_year=year, invoice_number__startswith=f"DEMO{year}"
        ).values_list("hospital_id", "invoice_number")
    )
    claims, lines_of = [], []
    for person_id, kind, hospital, total, admission, stay, diagnoses, key in planned:
        invoice = f"DEMO{year}-{person_id}-{kind[:4]}"
        if (hospital.pk, invoice) in existing:
            continue
        lines = _lines(kind, total, seed, key)
        totals = {
            cls: sum((amount for _c, _n, c, amount in lines if c == cls), Decimal("0.00"))
            for cls in ("a", "b", "self")
        }
        diagnosis = diagnoses[int(chance(seed, "diagnosis", key) * len(diagnoses))]
        claims.append(
            Claim(
                person_id=person_id,
                hospital=hospital,
                coverage_year=year,
                kind=kind,
                channel=ClaimChannel.HOSPITAL
                if chance(seed, "channel", key) < 0.85
                else ClaimChannel.COUNTER,
                invoice_number=invoice,
                admission_date=admission,
                discharge_date=min(
                    admission + datetime.timedelta(days=stay), datetime.date(year, 12, 31)
                ),
                diagnosis=diagnosis,
                special_item="rabies_vaccine" if kind == "special_item" else "",
                out_of_area_filed=chance(seed, "filed", key) < 0.6,
                investigation=(
                    Investigation.APPROVED
                    if chance(seed, "investigation", key) < 0.8
                    else Investigation.PENDING
                )
                if kind == "accidental_injury"
                else "",
                total=total,
                class_a=totals["a"],
                class_b=totals["b"],
                self_paid=totals["self"],
                submission_digest=hashlib.sha256(invoice.encode()).hexdigest(),
            )
        )
        lines_of.append(lines)
    with transaction.atomic():
        Claim.objects.bulk_create(claims, batch_size=2000)
        ClaimLine.objects.bulk_create(
            (
                ClaimLine(
                    claim_id=claim.pk,
                    number=number,
                    code=code,
                    name=name,
                    line_class=cls,
                    amount=amount,
                )
                for claim, lines in zip(claims, lines_of, strict=True)
                for number, (code, name, cls, amount) in enumerate(lines, start=1)
            ),
            batch_size=5000,
        )
    person_years = sorted({(claim.person_id, year) for claim in claims})
    counts = {"written": 0}
    for start in range(0, len(person_years), 2000):
        with transaction.atomic():
            counts["written"] += resettle(person_years[start : start + 2000], reason="演示数据")[
                "written"
            ]
    notes.append(
        f"居民医保：定点医疗机构 {Hospital.objects.count()} 家，{year} 年补偿 {len(claims)} 笔"
        f"（新结算 {counts['written']} 笔）" + (f"，为 {enrolled} 人补登了参保" if enrolled else "")
    )
    return len(claims)


def _where(kind: str, hospitals: dict, village_id: str, seed: int, key: str):
    township = hospitals["township"].get(village_id[:9] + "000") or next(
        iter(hospitals["township"].values()), None
    )
    township = township or hospitals["county"][0]
    value = chance(seed, "cost", key)
    if kind == "inpatient":
        pick = chance(seed, "level", key)
        cumulative = 0.0
        place, _share, low, high = INPATIENT_MIX[-1]
        for option in INPATIENT_MIX:
            cumulative += option[1]
            if pick < cumulative:
                place, _share, low, high = option
                break
        hospital = township if place == "township" else hospitals[place][0]
        if place == "county" and chance(seed, "which", key) < 0.4:
            hospital = hospitals["county"][1]
        return hospital, _amount(low, high, value**2), 3 + int(12 * value)
    if kind == "outpatient_pooling":
        return township, _amount(30, 150, value), 0
    if kind == "two_disease":
        return township, _amount(80, 400, value), 0
    if kind == "chronic_outpatient":
        return hospitals["county"][0], _amount(800, 12000, value), 0
    if kind == "childbirth":
        return hospitals["county"][0], _amount(2500, 6000, value), 3
    if kind == "accidental_injury":
        return hospitals["county"][0], _amount(3000, 25000, value), 5
    return township, _amount(150, 260, value), 0
