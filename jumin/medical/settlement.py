"""Settlement of medical claims through the three layers, as pure functions (no database).

Basic insurance → critical-illness insurance (大病保险) → medical assistance (医疗救助), one
step (一站式结算, POLICY §3.3–3.6): ``settle(claim, policy, year, group)`` gives the four
amounts of one claim (basic fund, critical illness, assistance, patient; they add up to the
claim's total, none is negative, no cap is exceeded) and the explanation, each step with the
parameter it used and the amount it produced; and the person's year after the claim.

A person's year is settled claim by claim in discharge-date order (``settle_year``) against
the year's accumulators (``Year``): admissions so far, what each cap has used, the critical
illness and assistance amounts counted so far. Critical illness and assistance are worked
out on the year's cumulative amount (``payment(after) − payment(before)``), so a year's
totals do not depend on how its claims are split, and re-settling gives the same result.

The policy is one JSON document per coverage year and region (``policy_problems`` lists every
problem of one, naming the field; ``Policy.from_document`` reads a valid one). This module is
the "settlement" section of the medical rules (a module of its own beside ``rules.py``).
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from jumin.core.money import ZERO, MoneyError, round_fen
from jumin.core.money import parse as parse_money

HUNDRED = Decimal(100)
ONE = Decimal(1)

LEVELS = {
    "village_clinic": "村卫生室",
    "township": "乡镇卫生院",
    "level_1": "一级医院",
    "level_2": "二级医院",
    "level_3": "三级医院",
    "out_of_region": "统筹区外",
}
KINDS = {
    "inpatient": "住院",
    "outpatient_pooling": "普通门诊统筹",
    "two_disease": "两病门诊",
    "chronic_outpatient": "门诊慢特病",
    "childbirth": "住院分娩",
    "accidental_injury": "意外伤害",
    "special_item": "特殊项目",
}
# the kinds whose in-scope cost left to the patient counts for critical illness
CRITICAL_ILLNESS_KINDS = frozenset({"inpatient", "accidental_injury", "chronic_outpatient"})
# the kinds that use the inpatient rules (deductible and rate by level, the annual cap)
INPATIENT_KINDS = frozenset({"inpatient", "accidental_injury"})
# hypertension I10–I15, diabetes E10–E14 (医保发〔2019〕54号)
TWO_DISEASE_PREFIXES = ("I10", "I11", "I12", "I13", "I15", "E10", "E11", "E12", "E13", "E14")
ASSISTANCE_CLASSES = ("1", "2", "3")
DIAGNOSIS_PATTERN = re.compile(r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")


def percent(rate: Decimal) -> str:
    return f"{(rate * HUNDRED).normalize():f}%"


def yuan(amount: Decimal | None) -> str:
    return "不封顶" if amount is None else f"{amount:.2f}元"


# --------------------------------------------------------------------------- the policy


@dataclass(frozen=True)
class LevelRule:
    deductible: Decimal
    rate: Decimal


@dataclass(frozen=True)
class Band:
    start: Decimal  # amount above the deductible where the band starts
    end: Decimal | None  # where it ends (None: no end)
    rate: Decimal


@dataclass(frozen=True)
class SpecialItem:
    name: str
    flat_amount: Decimal | None
    rate: Decimal | None


@dataclass(frozen=True)
class AssistanceRule:
    rate: Decimal
    deductible: Decimal
    yearly_cap: Decimal


@dataclass(frozen=True)
class Policy:
    levels: dict
    later_admission_deductible_share: Decimal
    annual_cap: Decimal
    class_b_first_pay_share: Decimal
    out_of_area_unfiled_cut: Decimal
    outpatient_rate: Decimal
    outpatient_per_visit_cap: Decimal
    outpatient_yearly_cap: Decimal
    two_disease_rate: Decimal
    two_disease_yearly_cap: Decimal
    chronic_diseases: dict  # ICD-10 prefix → name
    chronic_rate: Decimal
    chronic_yearly_cap: Decimal
    chronic_deductible: Decimal
    childbirth_amount: Decimal
    accident_requires_investigation: bool
    special_items: dict  # code → SpecialItem
    ci_deductible: Decimal
    ci_bands: tuple
    ci_cap: Decimal | None
    ci_class_b_first_pay_counts: bool
    ci_special_deductible_share: Decimal
    ci_special_rate_bonus: Decimal
    ci_special_no_cap: bool
    assistance: dict  # "1" / "2" / "3" → AssistanceRule

    @classmethod
    def from_document(cls, document: dict) -> "Policy":
        """A policy from a document ``policy_problems`` found nothing wrong with."""
        problems = policy_problems(document)
        if problems:
            raise ValueError("；".join(problems))
        d = document
        inpatient, outpatient = d["inpatient"], d["outpatient_pooling"]
        two, chronic, critical = d["two_disease"], d["chronic"], d["critical_illness"]
        special = critical["special_groups"]
        return cls(
            levels={
                level: LevelRule(_money(rule["deductible"]), _rate(rule["rate"]))
                for level, rule in inpatient["levels"].items()
            },
            later_admission_deductible_share=_rate(inpatient["later_admission_deductible_share"]),
            annual_cap=_money(inpatient["annual_cap"]),
            class_b_first_pay_share=_rate(inpatient["class_b_first_pay_share"]),
            out_of_area_unfiled_cut=_rate(inpatient["out_of_area_unfiled_cut"]),
            outpatient_rate=_rate(outpatient["rate"]),
            outpatient_per_visit_cap=_money(outpatient["per_visit_cap"]),
            outpatient_yearly_cap=_money(outpatient["yearly_cap"]),
            two_disease_rate=_rate(two["rate"]),
            two_disease_yearly_cap=_money(two["yearly_cap"]),
            chronic_diseases={row["icd10_prefix"]: row["name"] for row in chronic["diseases"]},
            chronic_rate=_rate(chronic["rate"]),
            chronic_yearly_cap=_money(chronic["yearly_cap"]),
            chronic_deductible=_money(chronic["deductible"]),
            childbirth_amount=_money(d["childbirth"]["flat_amount"]),
            accident_requires_investigation=bool(d["accidental_injury"]["requires_investigation"]),
            special_items={
                row["code"]: SpecialItem(
                    row["name"],
                    _money(row["flat_amount"]) if row.get("flat_amount") is not None else None,
                    _rate(row["rate"]) if row.get("rate") is not None else None,
                )
                for row in d["special_items"]
            },
            ci_deductible=_money(critical["deductible"]),
            ci_bands=tuple(
                Band(
                    _money(band["from"]),
                    _money(band["to"]) if band.get("to") is not None else None,
                    _rate(band["rate"]),
                )
                for band in critical["bands"]
            ),
            ci_cap=_money(critical["annual_cap"]) if critical["annual_cap"] is not None else None,
            ci_class_b_first_pay_counts=bool(critical["class_b_first_pay_counts"]),
            ci_special_deductible_share=_rate(special["deductible_share"]),
            ci_special_rate_bonus=_rate(special["rate_bonus"]),
            ci_special_no_cap=bool(special["no_cap"]),
            assistance={
                group: AssistanceRule(
                    _rate(rule["rate"]), _money(rule["deductible"]), _money(rule["yearly_cap"])
                )
                for group, rule in d["assistance"].items()
            },
        )


def _money(value) -> Decimal:
    return parse_money(value)


def _rate(value) -> Decimal:
    return Decimal(str(value))


class _Checker:
    """Collects every problem of a document, each naming the field by its path."""

    def __init__(self):
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}：{message}")

    def node(self, parent, key: str, path: str, kind=dict):
        if not isinstance(parent, dict) or key not in parent:
            self.add(path, "缺少")
            return None
        value = parent[key]
        if not isinstance(value, kind):
            self.add(path, "应为对象" if kind is dict else "应为列表")
            return None
        return value

    def money(self, parent, key: str, path: str, *, optional: bool = False) -> Decimal | None:
        if not isinstance(parent, dict) or key not in parent:
            if not optional:
                self.add(path, "缺少")
            return None
        value = parent[key]
        if value is None and optional:
            return None
        try:
            return parse_money(value)
        except MoneyError as error:
            self.add(path, error.message)
            return None

    def rate(self, parent, key: str, path: str, *, optional: bool = False) -> Decimal | None:
        if not isinstance(parent, dict) or key not in parent:
            if not optional:
                self.add(path, "缺少")
            return None
        value = parent[key]
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.add(path, "应为 0 到 1 之间的小数，如 0.85")
            return None
        try:
            rate = Decimal(str(value))
        except InvalidOperation:
            self.add(path, f"“{value}”不是数字")
            return None
        if not rate.is_finite() or rate < 0:
            self.add(path, "比例不能为负数")
            return None
        if rate > 1:
            self.add(path, f"比例 {percent(rate)} 超过了 100%")
            return None
        return rate

    def flag(self, parent, key: str, path: str) -> None:
        if not isinstance(parent, dict) or not isinstance(parent.get(key), bool):
            self.add(path, "应为 true 或 false")


def policy_problems(document) -> list[str]:
    """Every problem of a policy document, each as "字段：说明" (an empty list: it is valid)."""
    check = _Checker()
    if not isinstance(document, dict):
        return ["政策文件：应为 JSON 对象"]
    inpatient = check.node(document, "inpatient", "inpatient")
    if inpatient is not None:
        levels = check.node(inpatient, "levels", "inpatient.levels")
        if levels is not None:
            for level, label in LEVELS.items():
                path = f"inpatient.levels.{level}"
                if level not in levels:
                    check.add(path, f"缺少{label}的起付线和报销比例")
                    continue
                check.money(levels[level], "deductible", f"{path}.deductible")
                check.rate(levels[level], "rate", f"{path}.rate")
            for level in levels:
                if level not in LEVELS:
                    check.add(f"inpatient.levels.{level}", "不认识的医院级别")
        for key in ("later_admission_deductible_share", "class_b_first_pay_share"):
            check.rate(inpatient, key, f"inpatient.{key}")
        check.rate(inpatient, "out_of_area_unfiled_cut", "inpatient.out_of_area_unfiled_cut")
        cap = check.money(inpatient, "annual_cap", "inpatient.annual_cap")
        if cap is not None and cap <= 0:
            check.add("inpatient.annual_cap", "封顶线应大于 0")
    outpatient = check.node(document, "outpatient_pooling", "outpatient_pooling")
    if outpatient is not None:
        check.rate(outpatient, "rate", "outpatient_pooling.rate")
        visit = check.money(outpatient, "per_visit_cap", "outpatient_pooling.per_visit_cap")
        year = check.money(outpatient, "yearly_cap", "outpatient_pooling.yearly_cap")
        if visit is not None and year is not None and visit > year:
            check.add("outpatient_pooling.per_visit_cap", "每次限额不能高于年度限额")
    two = check.node(document, "two_disease", "two_disease")
    if two is not None:
        check.rate(two, "rate", "two_disease.rate")
        check.money(two, "yearly_cap", "two_disease.yearly_cap")
    chronic = check.node(document, "chronic", "chronic")
    if chronic is not None:
        check.rate(chronic, "rate", "chronic.rate")
        check.money(chronic, "yearly_cap", "chronic.yearly_cap")
        check.money(chronic, "deductible", "chronic.deductible")
        diseases = check.node(chronic, "diseases", "chronic.diseases", list)
        seen = set()
        for number, row in enumerate(diseases or [], start=1):
            path = f"chronic.diseases[{number}]"
            prefix = row.get("icd10_prefix") if isinstance(row, dict) else None
            if not isinstance(prefix, str) or not re.fullmatch(
                r"[A-Z]([0-9]{1,2}(\.[0-9]+)?)?", prefix
            ):
                check.add(f"{path}.icd10_prefix", "应为 ICD-10 编码的开头，如 I10 或 N18")
            elif prefix in seen:
                check.add(f"{path}.icd10_prefix", f"{prefix} 重复")
            else:
                seen.add(prefix)
            if not isinstance(row, dict) or not isinstance(row.get("name"), str) or not row["name"]:
                check.add(f"{path}.name", "缺少病种名称")
    childbirth = check.node(document, "childbirth", "childbirth")
    if childbirth is not None:
        check.money(childbirth, "flat_amount", "childbirth.flat_amount")
    accident = check.node(document, "accidental_injury", "accidental_injury")
    if accident is not None:
        check.flag(accident, "requires_investigation", "accidental_injury.requires_investigation")
    items = check.node(document, "special_items", "special_items", list)
    codes = set()
    for number, row in enumerate(items or [], start=1):
        path = f"special_items[{number}]"
        if not isinstance(row, dict):
            check.add(path, "应为对象")
            continue
        code = row.get("code")
        if not isinstance(code, str) or not re.fullmatch(r"[a-z0-9_]{1,40}", code):
            check.add(f"{path}.code", "编码只能用小写字母、数字和下划线")
        elif code in codes:
            check.add(f"{path}.code", f"{code} 重复")
        else:
            codes.add(code)
        if not isinstance(row.get("name"), str) or not row.get("name"):
            check.add(f"{path}.name", "缺少名称")
        flat = check.money(row, "flat_amount", f"{path}.flat_amount", optional=True)
        rate = check.rate(row, "rate", f"{path}.rate", optional=True)
        if (flat is None) == (rate is None) and not any(
            problem.startswith(f"{path}.") for problem in check.problems
        ):
            check.add(path, "定额（flat_amount）和比例（rate）须填且只填一项")
    critical = check.node(document, "critical_illness", "critical_illness")
    if critical is not None:
        check.money(critical, "deductible", "critical_illness.deductible")
        check.money(critical, "annual_cap", "critical_illness.annual_cap", optional=True)
        if "annual_cap" not in critical:
            check.add("critical_illness.annual_cap", "缺少（不封顶请写 null）")
        check.flag(
            critical, "class_b_first_pay_counts", "critical_illness.class_b_first_pay_counts"
        )
        special = check.node(critical, "special_groups", "critical_illness.special_groups")
        bonus = None
        if special is not None:
            path = "critical_illness.special_groups"
            check.rate(special, "deductible_share", f"{path}.deductible_share")
            bonus = check.rate(special, "rate_bonus", f"{path}.rate_bonus")
            check.flag(special, "no_cap", f"{path}.no_cap")
        bands = check.node(critical, "bands", "critical_illness.bands", list)
        _check_bands(check, bands, bonus)
    assistance = check.node(document, "assistance", "assistance")
    if assistance is not None:
        for group in ASSISTANCE_CLASSES:
            path = f"assistance.{group}"
            rule = assistance.get(group)
            if not isinstance(rule, dict):
                check.add(path, f"缺少第{group}类救助对象的比例、起付线和年度限额")
                continue
            check.rate(rule, "rate", f"{path}.rate")
            check.money(rule, "deductible", f"{path}.deductible")
            check.money(rule, "yearly_cap", f"{path}.yearly_cap")
        for group in assistance:
            if group not in ASSISTANCE_CLASSES:
                check.add(f"assistance.{group}", "救助对象类别只有 1、2、3")
    return check.problems


def _check_bands(check: _Checker, bands, bonus: Decimal | None) -> None:
    if bands is None:
        return
    if not bands:
        check.add("critical_illness.bands", "至少要有一段")
        return
    previous_end = ZERO
    for number, band in enumerate(bands, start=1):
        path = f"critical_illness.bands[{number}]"
        start = check.money(band, "from", f"{path}.from")
        end = check.money(band, "to", f"{path}.to", optional=True)
        rate = check.rate(band, "rate", f"{path}.rate")
        if rate is not None and bonus is not None and rate + bonus > 1:
            check.add(f"{path}.rate", f"加上特殊群体提高的 {percent(bonus)} 后超过了 100%")
        if start is None:
            continue
        if end is not None and end <= start:
            check.add(f"{path}.to", "分段的终点应大于起点")
        if previous_end is None:
            check.add(path, "前一段不封顶，这一段与它重叠")
        elif start < previous_end:
            check.add(f"{path}.from", f"与前一段重叠（前一段到 {previous_end}）")
        elif start > previous_end:
            check.add(f"{path}.from", f"与前一段之间有空档（前一段到 {previous_end}）")
        previous_end = end
        if end is None and number < len(bands):
            previous_end = None


# --------------------------------------------------------------------------- claims


@dataclass(frozen=True)
class ClaimInput:
    """What settlement needs of one claim (plain values)."""

    kind: str
    level: str
    total: Decimal
    class_a: Decimal
    class_b: Decimal
    self_paid: Decimal
    diagnosis: str = ""
    special_item: str = ""
    out_of_area_filed: bool = False
    investigation: str = ""
    discharge_date: datetime.date | None = None
    admission_date: datetime.date | None = None
    key: int = 0  # the claim's id: the last tie-breaker of the year's order

    @property
    def order(self):
        return (
            self.discharge_date or datetime.date.min,
            self.admission_date or datetime.date.min,
            self.key,
        )


def claim_problems(claim: ClaimInput, policy: Policy | None = None) -> list[tuple[str, str]]:
    """What is wrong with a claim before it is settled: (field, message) pairs."""
    problems = []
    if claim.kind not in KINDS:
        problems.append(("kind", f"不认识的类别“{claim.kind}”"))
    if claim.level not in LEVELS:
        problems.append(("hospital", f"不认识的医院级别“{claim.level}”"))
    for name, label in (("class_a", "甲类"), ("class_b", "乙类"), ("self_paid", "自费")):
        if getattr(claim, name) < 0:
            problems.append((name, f"{label}费用不能为负数"))
    if claim.total <= 0:
        problems.append(("total", "总费用应大于 0"))
    elif claim.class_a + claim.class_b + claim.self_paid != claim.total:
        problems.append(
            (
                "total",
                f"明细合计 {claim.class_a + claim.class_b + claim.self_paid:.2f} 元"
                f"与总费用 {claim.total:.2f} 元不符",
            )
        )
    if (
        claim.admission_date
        and claim.discharge_date
        and claim.discharge_date < claim.admission_date
    ):
        problems.append(("discharge_date", "出院日期早于入院日期"))
    if not DIAGNOSIS_PATTERN.match(claim.diagnosis or ""):
        problems.append(("diagnosis", f"诊断编码“{claim.diagnosis}”格式不对，应如 I10 或 K35.8"))
    elif claim.kind == "two_disease" and not claim.diagnosis.startswith(TWO_DISEASE_PREFIXES):
        problems.append(("diagnosis", "两病门诊的诊断须为高血压（I10–I15）或糖尿病（E10–E14）"))
    if policy is not None:
        if claim.kind == "chronic_outpatient" and chronic_disease(policy, claim.diagnosis) is None:
            problems.append(("diagnosis", f"诊断 {claim.diagnosis} 不在门诊慢特病病种目录内"))
        if claim.kind == "special_item" and claim.special_item not in policy.special_items:
            problems.append(("special_item", f"没有特殊项目“{claim.special_item}”"))
    return problems


def chronic_disease(policy: Policy, diagnosis: str) -> str | None:
    for prefix, name in policy.chronic_diseases.items():
        if diagnosis.startswith(prefix):
            return name
    return None


# --------------------------------------------------------------------------- settling


@dataclass(frozen=True)
class Year:
    """A person's coverage year so far: the accumulators settlement reads and moves."""

    admissions: int = 0
    inpatient_paid: Decimal = ZERO  # against the annual cap
    outpatient_paid: Decimal = ZERO
    two_disease_paid: Decimal = ZERO
    chronic_paid: Decimal = ZERO
    chronic_deductible_used: Decimal = ZERO
    ci_counted: Decimal = ZERO  # in-scope cost left to the patient, counted for critical illness
    ci_paid: Decimal = ZERO
    assistance_counted: Decimal = ZERO
    assistance_paid: Decimal = ZERO


# --------------------------------------------------------------------------- explanation
#
# Each step of a settlement is stored as data, ``[code, [parameters], amount]`` (parameters
# are plain JSON values: decimals as strings), and turned into Chinese only when shown: the
# text below is a function of the stored data alone, so a stored explanation always renders
# to the same words (``render_explanation``). Building the words for every claim of a batch
# was most of the cost of settling it.


def _d(value) -> Decimal:
    return Decimal(value)


def _cap(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _rate_step(level, rate, cut):
    text = f"(政策范围内费用 − 起付线) × {LEVELS[level]} {percent(_d(rate))}"
    return text if cut is None else text + f" − 异地未备案 {percent(_d(cut))}"


def _critical_step(after, before, deductible, bands, bonus, special, cap):
    bonus = _d(bonus)
    banded_text = "，".join(
        f"{_d(start):.0f}–{'' if end is None else f'{_d(end):.0f}'} {percent(_d(rate) + bonus)}"
        for start, end, rate in bands
    )
    text = (
        f"年度累计 {_d(after):.2f}（此前 {_d(before):.2f}）超过起付线 {yuan(_d(deductible))} "
        f"的部分，分段 {banded_text}"
    )
    if special:
        text += "；特困/低保/返贫致贫人员起付线减半、比例提高"
    return text + f"；年度封顶 {yuan(_cap(cap))}"


STEPS = {
    # code: (step label, parameters → the parameter's words)
    "class_b_first_pay": (
        "乙类先行自付",
        lambda class_b, share: f"乙类 {_d(class_b):.2f} × {percent(_d(share))}",
    ),
    "eligible": ("政策范围内费用", lambda: "甲类 + 乙类 − 乙类先行自付（自费不计）"),
    "outpatient": (
        "普通门诊统筹",
        lambda rate, visit_cap, yearly_cap, used: (
            f"{percent(_d(rate))}，每次限 {yuan(_d(visit_cap))}，"
            f"年度限 {yuan(_d(yearly_cap))}（已用 {yuan(_d(used))}）"
        ),
    ),
    "two_disease": (
        "两病门诊用药",
        lambda rate, cap, used: (
            f"{percent(_d(rate))}，年度限 {yuan(_d(cap))}（已用 {yuan(_d(used))}）"
        ),
    ),
    "chronic_deductible": (
        "慢特病年度起付线",
        lambda deductible: f"每年一次 {yuan(_d(deductible))}，本次计入",
    ),
    "chronic": (
        "门诊慢特病",
        lambda name, rate, cap, used: (
            f"{name}：(政策范围内费用 − 起付线) × {percent(_d(rate))}，"
            f"年度限 {yuan(_d(cap))}（已用 {yuan(_d(used))}）"
        ),
    ),
    "childbirth": (
        "住院分娩定额",
        lambda amount: f"定额 {yuan(_d(amount))}，不超过政策范围内费用",
    ),
    "special_item_flat": ("特殊项目", lambda name, amount: f"{name}：定额 {yuan(_d(amount))}"),
    "special_item_rate": ("特殊项目", lambda name, rate: f"{name}：{percent(_d(rate))}"),
    "basic": ("基本医保基金支付", lambda: ""),
    "deductible": ("起付线", lambda level: f"{LEVELS[level]}"),
    "deductible_later": (
        "起付线",
        lambda level, deductible, admission, share: (
            f"{LEVELS[level]} {yuan(_d(deductible))}，本年第 {admission} 次住院 × "
            f"{percent(_d(share))}"
        ),
    ),
    "rate": ("报销比例", _rate_step),
    "accident_pending": ("意外伤害调查", lambda: "调查通过后才支付，目前未通过"),
    "accident_approved": ("意外伤害调查", lambda: "调查已通过"),
    "annual_cap": (
        "年度封顶线",
        lambda cap, paid: f"{yuan(_d(cap))}，本年已支付 {yuan(_d(paid))}",
    ),
    "critical_counted": (
        "大病保险计入的个人负担",
        lambda b_counts: "政策范围内费用 − 基本医保支付" + (" + 乙类先行自付" if b_counts else ""),
    ),
    "critical_illness": ("大病保险", _critical_step),
    "assistance_none": ("医疗救助", lambda: "不是医疗救助对象"),
    "assistance": (
        "医疗救助",
        lambda group, left, after, deductible, rate, cap: (
            f"第{group}类救助对象：政策范围内个人负担 {_d(left):.2f}（年度累计 {_d(after):.2f}）"
            f"超过起付线 {yuan(_d(deductible))} 的部分 × {percent(_d(rate))}，"
            f"年度限 {yuan(_d(cap))}"
        ),
    ),
    "patient": ("个人负担", lambda: "总费用 − 基本医保 − 大病保险 − 医疗救助"),
}


def _plain(value):
    """A parameter as a JSON value (decimals as their exact string)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class Step:
    """One step: its code (a key of ``STEPS``), the parameters it used, the amount."""

    code: str
    params: tuple
    amount: Decimal

    @property
    def step(self) -> str:
        return STEPS[self.code][0]

    @property
    def parameter(self) -> str:
        return STEPS[self.code][1](*self.params)

    def as_dict(self) -> dict:
        return {"step": self.step, "parameter": self.parameter, "amount": f"{self.amount:.2f}"}

    def stored(self) -> list:
        return [
            self.code,
            [str(value) if value.__class__ is Decimal else _plain(value) for value in self.params],
            f"{self.amount:.2f}",
        ]


def render_explanation(stored) -> list[dict]:
    """The words of a stored explanation: ``[{"step", "parameter", "amount"}]``. A stored
    step that is already words (settlements written before steps were stored as data) is
    shown as it is."""
    steps = []
    for item in stored or ():
        if isinstance(item, dict):
            steps.append(item)
            continue
        code, params, amount = item
        label, words = STEPS[code]
        steps.append({"step": label, "parameter": words(*params), "amount": amount})
    return steps


@dataclass(frozen=True)
class Result:
    total: Decimal
    eligible_cost: Decimal
    basic: Decimal
    critical_illness: Decimal
    assistance: Decimal
    patient: Decimal
    steps: tuple = field(default_factory=tuple)
    year: Year = field(default_factory=Year)

    @property
    def explanation(self) -> list[dict]:
        """The explanation in words (pages, API, trial settlement)."""
        return [step.as_dict() for step in self.steps]

    @property
    def stored_explanation(self) -> list[list]:
        """The explanation as data, as stored with the settlement (``render_explanation``)."""
        return [step.stored() for step in self.steps]

    @property
    def amounts(self) -> tuple:
        return (self.basic, self.critical_illness, self.assistance, self.patient)


def _moved(year: Year, **changes) -> Year:
    """``year`` with some accumulators moved (``dataclasses.replace``, without its cost)."""
    return Year(**{**year.__dict__, **changes})


def banded(amount: Decimal, bands: tuple, bonus: Decimal = ZERO) -> Decimal:
    """The critical-illness payment on ``amount`` above the deductible, band by band."""
    paid = ZERO
    for band in bands:
        if amount <= band.start:
            break
        top = amount if band.end is None else min(amount, band.end)
        paid += (top - band.start) * (band.rate + bonus)
    return round_fen(paid)


def _capped(amount: Decimal, cap: Decimal | None, used: Decimal) -> Decimal:
    if cap is None:
        return amount
    return max(ZERO, min(amount, cap - used))


def settle(claim: ClaimInput, policy: Policy, year: Year = Year(), group: str = "") -> Result:
    """Settle one claim against the person's year so far; ``group`` is the person's medical
    assistance class on the admission date ("1", "2", "3" or "" for none)."""
    steps: list[Step] = []
    b_first = round_fen(claim.class_b * policy.class_b_first_pay_share)
    eligible = claim.class_a + claim.class_b - b_first
    steps.append(
        Step("class_b_first_pay", (claim.class_b, policy.class_b_first_pay_share), b_first)
    )
    steps.append(Step("eligible", (), eligible))
    kind = claim.kind
    basic = ZERO
    if kind in INPATIENT_KINDS:
        basic, year = _inpatient(claim, policy, year, eligible, steps)
    elif kind == "outpatient_pooling":
        raw = min(round_fen(eligible * policy.outpatient_rate), policy.outpatient_per_visit_cap)
        basic = _capped(raw, policy.outpatient_yearly_cap, year.outpatient_paid)
        steps.append(
            Step(
                "outpatient",
                (
                    policy.outpatient_rate,
                    policy.outpatient_per_visit_cap,
                    policy.outpatient_yearly_cap,
                    year.outpatient_paid,
                ),
                basic,
            )
        )
        year = _moved(year, outpatient_paid=year.outpatient_paid + basic)
    elif kind == "two_disease":
        raw = round_fen(eligible * policy.two_disease_rate)
        basic = _capped(raw, policy.two_disease_yearly_cap, year.two_disease_paid)
        steps.append(
            Step(
                "two_disease",
                (policy.two_disease_rate, policy.two_disease_yearly_cap, year.two_disease_paid),
                basic,
            )
        )
        year = _moved(year, two_disease_paid=year.two_disease_paid + basic)
    elif kind == "chronic_outpatient":
        left = max(ZERO, policy.chronic_deductible - year.chronic_deductible_used)
        deductible = min(left, eligible)
        steps.append(Step("chronic_deductible", (policy.chronic_deductible,), deductible))
        raw = round_fen((eligible - deductible) * policy.chronic_rate)
        basic = _capped(raw, policy.chronic_yearly_cap, year.chronic_paid)
        name = chronic_disease(policy, claim.diagnosis) or claim.diagnosis
        steps.append(
            Step(
                "chronic",
                (name, policy.chronic_rate, policy.chronic_yearly_cap, year.chronic_paid),
                basic,
            )
        )
        year = _moved(
            year,
            chronic_paid=year.chronic_paid + basic,
            chronic_deductible_used=year.chronic_deductible_used + deductible,
        )
    elif kind == "childbirth":
        basic = min(policy.childbirth_amount, eligible)
        steps.append(Step("childbirth", (policy.childbirth_amount,), basic))
    elif kind == "special_item":
        item = policy.special_items[claim.special_item]
        if item.flat_amount is not None:
            basic = min(item.flat_amount, eligible)
            steps.append(Step("special_item_flat", (item.name, item.flat_amount), basic))
        else:
            basic = round_fen(eligible * item.rate)
            steps.append(Step("special_item_rate", (item.name, item.rate), basic))
    steps.append(Step("basic", (), basic))

    critical = ZERO
    if kind in CRITICAL_ILLNESS_KINDS:
        critical, year = _critical_illness(
            claim, policy, year, group, eligible, basic, b_first, steps
        )

    assistance, year = _assistance(policy, year, group, eligible - basic - critical, steps)
    patient = claim.total - basic - critical - assistance
    steps.append(Step("patient", (), patient))
    return Result(claim.total, eligible, basic, critical, assistance, patient, tuple(steps), year)


def _inpatient(claim, policy, year, eligible, steps):
    rule = policy.levels[claim.level]
    deductible = rule.deductible
    if year.admissions >= 1:
        deductible = round_fen(deductible * policy.later_admission_deductible_share)
        steps.append(
            Step(
                "deductible_later",
                (
                    claim.level,
                    rule.deductible,
                    year.admissions + 1,
                    policy.later_admission_deductible_share,
                ),
                deductible,
            )
        )
    else:
        steps.append(Step("deductible", (claim.level,), deductible))
    rate = rule.rate
    cut = None
    if claim.level == "out_of_region" and not claim.out_of_area_filed:
        cut = policy.out_of_area_unfiled_cut
        rate = max(ZERO, rate - cut)
    raw = round_fen(max(ZERO, eligible - deductible) * rate)
    steps.append(Step("rate", (claim.level, rule.rate, cut), raw))
    if claim.kind == "accidental_injury" and policy.accident_requires_investigation:
        if claim.investigation != "approved":
            steps.append(Step("accident_pending", (), ZERO))
            return ZERO, _moved(year, admissions=year.admissions + 1)
        steps.append(Step("accident_approved", (), raw))
    basic = _capped(raw, policy.annual_cap, year.inpatient_paid)
    if basic != raw:
        steps.append(Step("annual_cap", (policy.annual_cap, year.inpatient_paid), basic))
    return basic, _moved(
        year, admissions=year.admissions + 1, inpatient_paid=year.inpatient_paid + basic
    )


def _critical_illness(claim, policy, year, group, eligible, basic, b_first, steps):
    counted = eligible - basic
    if policy.ci_class_b_first_pay_counts:
        counted += b_first
    steps.append(Step("critical_counted", (policy.ci_class_b_first_pay_counts,), counted))
    special = group == "1"
    deductible = policy.ci_deductible
    bonus = ZERO
    cap = policy.ci_cap
    if special:
        deductible = round_fen(deductible * policy.ci_special_deductible_share)
        bonus = policy.ci_special_rate_bonus
        if policy.ci_special_no_cap:
            cap = None
    before = year.ci_counted
    after = before + counted
    raw = banded(max(ZERO, after - deductible), policy.ci_bands, bonus) - banded(
        max(ZERO, before - deductible), policy.ci_bands, bonus
    )
    raw = min(raw, counted)
    critical = _capped(raw, cap, year.ci_paid)
    bands = tuple((band.start, band.end, band.rate) for band in policy.ci_bands)
    steps.append(
        Step(
            "critical_illness",
            (after, before, deductible, bands, bonus, special, cap),
            critical,
        )
    )
    return critical, _moved(year, ci_counted=after, ci_paid=year.ci_paid + critical)


def _assistance(policy, year, group, left, steps):
    rule = policy.assistance.get(group)
    if rule is None:
        steps.append(Step("assistance_none", (), ZERO))
        return ZERO, year
    left = max(ZERO, left)
    before = year.assistance_counted
    after = before + left

    def paid(amount):
        return round_fen(max(ZERO, amount - rule.deductible) * rule.rate)

    raw = min(paid(after) - paid(before), left)
    assistance = _capped(raw, rule.yearly_cap, year.assistance_paid)
    steps.append(
        Step(
            "assistance",
            (group, left, after, rule.deductible, rule.rate, rule.yearly_cap),
            assistance,
        )
    )
    return assistance, _moved(
        year, assistance_counted=after, assistance_paid=year.assistance_paid + assistance
    )


def settle_year(claims, policy: Policy, group_of=lambda claim: "") -> list[Result]:
    """Settle a person's year: every claim in discharge-date order from an empty year.

    Returns the results in that order; ``group_of(claim)`` is the assistance class on the
    claim's admission date."""
    year = Year()
    results = []
    for claim in sorted(claims, key=lambda c: c.order):
        result = settle(claim, policy, year, group_of(claim))
        year = result.year
        results.append(result)
    return results
