"""The pure settlement: EXAMPLES E4 and E10, every layer, the policy checks, and properties
(the four amounts add up, none negative, no cap exceeded, order and splitting do not matter)."""

import copy
import datetime
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.medical import settlement
from jumin.medical.services.policy import DEFAULT_POLICY_FILE
from jumin.medical.settlement import (
    STEPS,
    ClaimInput,
    Policy,
    Year,
    policy_problems,
    render_explanation,
    settle,
    settle_year,
)

D = Decimal
DOCUMENT = json.loads(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
POLICY = Policy.from_document(DOCUMENT)


def inpatient(level, a, b, own, **kw):
    return ClaimInput("inpatient", level, D(a) + D(b) + D(own), D(a), D(b), D(own), **kw)


def test_e4_township_inpatient_stay():
    result = settle(inpatient("township", "3700", "1000", "300"), POLICY)
    assert result.eligible_cost == D("4600.00")
    assert result.basic == D("3825.00")
    assert result.patient == D("1175.00")
    assert (result.critical_illness, result.assistance) == (D("0.00"), D("0.00"))
    assert (result.basic / result.total * 100).quantize(D("0.01")) == D("76.50")
    assert (result.basic / result.eligible_cost * 100).quantize(D("0.01")) == D("83.15")
    steps = {step["step"]: step for step in result.explanation}
    assert steps["起付线"]["amount"] == "100.00"
    assert "85%" in steps["报销比例"]["parameter"]


def test_e10_county_hospital_through_two_layers():
    result = settle(inpatient("level_2", "46000", "10000", "4000"), POLICY)
    assert result.eligible_cost == D("55000.00")
    assert result.basic == D("38080.00")
    assert result.critical_illness == D("1152.00")
    assert result.patient == D("20768.00")
    assert result.assistance == D("0.00")


def test_special_group_gets_half_deductible_five_points_more_and_assistance():
    result = settle(inpatient("level_2", "46000", "10000", "4000"), POLICY, group="1")
    # deductible 7 500, 65 %: (16 920 − 7 500) × 0.65 = 6 123.00
    assert result.critical_illness == D("6123.00")
    # assistance 70 % of the in-scope cost left: (55 000 − 38 080 − 6 123) × 0.70 = 7 557.90
    assert result.assistance == D("7557.90")
    assert sum(result.amounts) == result.total


def test_second_admission_halves_the_deductible_and_cap_binds():
    first = settle(inpatient("township", "3700", "1000", "300"), POLICY)
    second = settle(inpatient("township", "3700", "1000", "300"), POLICY, first.year)
    assert second.basic == D("3867.50")  # (4 600 − 50) × 0.85
    nearly_full = Year(admissions=3, inpatient_paid=D("149000.00"))
    capped = settle(inpatient("level_2", "46000", "10000", "4000"), POLICY, nearly_full)
    assert capped.basic == D("1000.00")
    assert any(step.step == "年度封顶线" for step in capped.steps)


def test_out_of_region_without_filing_loses_ten_points():
    filed = settle(inpatient("out_of_region", "10000", "0", "0", out_of_area_filed=True), POLICY)
    unfiled = settle(inpatient("out_of_region", "10000", "0", "0"), POLICY)
    assert filed.basic == D("4675.00")  # (10 000 − 1 500) × 0.55
    assert unfiled.basic == D("3825.00")  # × 0.45


def test_outpatient_two_disease_chronic_childbirth_special_item_and_accident():
    def claim(kind, a, **kw):
        return ClaimInput(kind, "township", D(a), D(a), D(0), D(0), **kw)

    assert settle(claim("outpatient_pooling", "100"), POLICY).basic == D("30.00")
    year = Year(outpatient_paid=D("90.00"))
    assert settle(claim("outpatient_pooling", "100"), POLICY, year).basic == D("10.00")
    assert settle(claim("two_disease", "200", diagnosis="I10"), POLICY).basic == D("100.00")
    chronic = settle(claim("chronic_outpatient", "1200", diagnosis="N18.5"), POLICY)
    assert chronic.basic == D("650.00")  # (1 200 − 200) × 0.65, deductible once a year
    again = settle(claim("chronic_outpatient", "1200", diagnosis="N18.5"), POLICY, chronic.year)
    assert again.basic == D("780.00")
    assert settle(claim("childbirth", "3000"), POLICY).basic == D("600.00")
    assert settle(claim("special_item", "250", special_item="rabies_vaccine"), POLICY).basic == D(
        "190.00"
    )
    pending = settle(claim("accidental_injury", "5000"), POLICY)
    assert pending.basic == D("0.00") and pending.patient == D("5000.00")
    approved = settle(claim("accidental_injury", "5000", investigation="approved"), POLICY)
    assert approved.basic == D("4165.00")


def test_a_policy_with_every_problem_listed():
    document = copy.deepcopy(DOCUMENT)
    del document["inpatient"]["levels"]["level_3"]
    document["inpatient"]["levels"]["township"]["rate"] = "1.20"
    document["critical_illness"]["bands"][1]["from"] = "30000.00"
    document["assistance"]["2"]["rate"] = "-0.1"
    del document["assistance"]["3"]
    problems = policy_problems(document)
    assert "inpatient.levels.level_3：缺少三级医院的起付线和报销比例" in problems
    assert "inpatient.levels.township.rate：比例 120% 超过了 100%" in problems
    assert any(p.startswith("critical_illness.bands[2].from：与前一段重叠") for p in problems)
    assert "assistance.2.rate：比例不能为负数" in problems
    assert any(p.startswith("assistance.3：") for p in problems)
    assert len(problems) == 5
    with pytest.raises(ValueError):
        Policy.from_document(document)


def test_gap_between_bands_and_band_plus_bonus_over_100_percent():
    document = copy.deepcopy(DOCUMENT)
    document["critical_illness"]["bands"][2]["from"] = "90000.00"
    document["critical_illness"]["bands"][2]["rate"] = "0.99"
    problems = policy_problems(document)
    assert any("空档" in p for p in problems)
    assert any("bands[3].rate" in p and "超过了 100%" in p for p in problems)


def test_claim_problems_name_the_field():
    claim = ClaimInput(
        "two_disease",
        "township",
        D("100"),
        D("50"),
        D("20"),
        D("20"),
        diagnosis="K35",
        admission_date=datetime.date(2026, 3, 2),
        discharge_date=datetime.date(2026, 3, 1),
    )
    fields = {name for name, _message in settlement.claim_problems(claim, POLICY)}
    assert fields == {"total", "discharge_date", "diagnosis"}
    bad_code = ClaimInput("inpatient", "township", D("1"), D("1"), D(0), D(0), diagnosis="35K")
    assert settlement.claim_problems(bad_code)[0][0] == "diagnosis"


# --------------------------------------------------------------------------- properties

amounts = st.decimals(
    min_value=0, max_value=200000, places=2, allow_nan=False, allow_infinity=False
)
kinds = st.sampled_from(sorted(settlement.KINDS))
levels = st.sampled_from(sorted(settlement.LEVELS))
DIAGNOSES = {"two_disease": "I10", "chronic_outpatient": "C34.1"}


@st.composite
def claims(draw, key=0):
    kind = draw(kinds)
    a, b, own = draw(amounts), draw(amounts), draw(amounts)
    if a + b + own == 0:
        a = D("1.00")
    day = datetime.date(2026, 1, 1) + datetime.timedelta(days=draw(st.integers(0, 360)))
    return ClaimInput(
        kind,
        draw(levels),
        a + b + own,
        a,
        b,
        own,
        diagnosis=DIAGNOSES.get(kind, "K35"),
        special_item="rabies_vaccine" if kind == "special_item" else "",
        investigation=draw(st.sampled_from(["approved", "pending"]))
        if kind == "accidental_injury"
        else "",
        out_of_area_filed=draw(st.booleans()),
        admission_date=day,
        discharge_date=day,
        key=key,
    )


@st.composite
def policies(draw):
    document = copy.deepcopy(DOCUMENT)
    document["inpatient"]["annual_cap"] = str(draw(st.integers(1000, 200000)))
    document["critical_illness"]["annual_cap"] = draw(
        st.sampled_from([None, "20000.00", "5000.00"])
    )
    document["critical_illness"]["class_b_first_pay_counts"] = draw(st.booleans())
    document["critical_illness"]["special_groups"]["no_cap"] = draw(st.booleans())
    document["assistance"]["1"]["yearly_cap"] = str(draw(st.integers(100, 60000)))
    return Policy.from_document(document)


year_claims = st.lists(claims(), min_size=1, max_size=8).map(
    lambda found: [ClaimInput(**{**vars(claim), "key": index}) for index, claim in enumerate(found)]
)


@given(year_claims, policies(), st.sampled_from(["", "1", "2", "3"]))
def test_amounts_add_up_none_negative_no_cap_exceeded(found, policy, group):
    results = settle_year(found, policy, lambda claim: group)
    for result in results:
        assert sum(result.amounts) == result.total
        assert min(result.amounts) >= 0
    final = results[-1].year
    assert final.inpatient_paid <= policy.annual_cap
    assert final.outpatient_paid <= policy.outpatient_yearly_cap
    assert final.two_disease_paid <= policy.two_disease_yearly_cap
    assert final.chronic_paid <= policy.chronic_yearly_cap
    if policy.ci_cap is not None and not (group == "1" and policy.ci_special_no_cap):
        assert final.ci_paid <= policy.ci_cap
    if group:
        assert final.assistance_paid <= policy.assistance[group].yearly_cap
    assert sum(r.basic for r in results if r.total) == (
        final.inpatient_paid
        + final.outpatient_paid
        + final.two_disease_paid
        + final.chronic_paid
        + sum(
            r.basic
            for r, c in zip(results, sorted(found, key=lambda c: c.order), strict=True)
            if c.kind in ("childbirth", "special_item")
        )
    )


@given(year_claims, policies(), st.sampled_from(["", "1"]), st.randoms())
def test_arrival_order_does_not_change_the_year(found, policy, group, random):
    shuffled = list(found)
    random.shuffle(shuffled)
    first = settle_year(found, policy, lambda claim: group)
    second = settle_year(shuffled, policy, lambda claim: group)
    assert [r.amounts for r in first] == [r.amounts for r in second]
    assert settle_year(found, policy, lambda claim: group) == first  # re-settling: the same


@given(year_claims, policies(), st.sampled_from(["", "1", "2", "3"]))
def test_the_stored_explanation_is_data_and_renders_to_the_same_words(found, policy, group):
    for result in settle_year(found, policy, lambda claim: group):
        stored = json.loads(json.dumps(result.stored_explanation))  # as the database keeps it
        assert all(isinstance(code, str) and code in STEPS for code, _params, _amount in stored)
        assert render_explanation(stored) == result.explanation
        assert [step["amount"] for step in result.explanation] == [amount for *_, amount in stored]


def test_an_explanation_stored_in_words_is_shown_as_it_is():
    old = [{"step": "起付线", "parameter": "乡镇卫生院", "amount": "100.00"}]
    assert render_explanation(old) == old
    assert render_explanation([["deductible", ["township"], "100.00"]]) == old
