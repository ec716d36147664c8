"""Claims through the services: stored and settled in one transaction, refusals naming the
field, idempotent submission, re-settlement with reversals, trial == real."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jumin.core.models import AuditEntry, Role
from jumin.medical.models import Claim, ClaimLine, Investigation, Settlement
from jumin.medical.services import claims as services
from jumin.medical.services import policy as policy_services
from jumin.medical.tests.conftest import claim_data
from jumin.medical.tests.factories import MedicalEnrolmentFactory
from jumin.people.models import SpecialStatusKind
from jumin.testing.factories import PersonFactory, SpecialStatusFactory

D = Decimal
pytestmark = pytest.mark.django_db


def current(claim):
    return Settlement.objects.get(claim=claim, reverses__isnull=True, reversal__isnull=True)


def test_counter_claim_is_stored_settled_and_audited(staff, hospitals, resident):
    clerk = staff[Role.TOWNSHIP_CLERK]
    claim, created = services.claim_submit(
        acting_user=clerk, data=claim_data(resident, hospitals["township"])
    )
    assert created and claim.channel == "counter"
    assert ClaimLine.objects.filter(claim=claim).count() == 3
    row = current(claim)
    assert (row.basic, row.critical_illness, row.assistance, row.patient) == (
        D("3825.00"),
        D("0.00"),
        D("0.00"),
        D("1175.00"),
    )
    assert row.explanation[0][0] == "class_b_first_pay"  # stored as data
    assert row.explanation_steps[0] == {
        "step": "乙类先行自付",
        "parameter": "乙类 1000.00 × 10%",
        "amount": "100.00",
    }
    assert AuditEntry.objects.filter(
        action="medical.claim.submit", object_id=str(claim.pk)
    ).exists()


def test_the_same_submission_again_answers_the_same_claim_a_different_one_is_refused(
    staff, hospitals, resident
):
    clerk = staff[Role.COUNTY_CLERK]
    claim, _ = services.claim_submit(
        acting_user=clerk, data=claim_data(resident, hospitals["township"])
    )
    again, created = services.claim_submit(
        acting_user=clerk, data=claim_data(resident, hospitals["township"])
    )
    assert (again.pk, created) == (claim.pk, False)
    assert Settlement.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        services.claim_submit(
            acting_user=clerk, data=claim_data(resident, hospitals["township"], a="3800")
        )
    assert "已经报销过" in refused.value.message_dict["invoice_number"][0]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"discharge": datetime.date(2026, 2, 1)}, "discharge_date", "早于入院日期"),
        ({"diagnosis": "Q99"}, "diagnosis", "不在疾病分类目录"),
        ({"diagnosis": "35K"}, "diagnosis", "格式不对"),
        ({"kind": "chronic_outpatient", "diagnosis": "K35"}, "diagnosis", "慢特病病种目录"),
        (
            {"admission": datetime.date(2025, 12, 1), "discharge": datetime.date(2025, 12, 3)},
            "admission_date",
            "未参加 2025 年度",
        ),
    ],
)
def test_refusals_name_the_field_and_store_nothing(
    staff, hospitals, resident, change, field, words
):
    with pytest.raises(ValidationError) as refused:
        services.claim_submit(
            acting_user=staff[Role.COUNTY_CLERK],
            data=claim_data(resident, hospitals["township"], **change),
        )
    assert any(words in message for message in refused.value.message_dict[field])
    assert not Claim.objects.exists() and not Settlement.objects.exists()


def test_lines_that_do_not_add_up_unknown_hospital_and_waiting_period(
    staff, tree, hospitals, policy
):
    person = PersonFactory(village=tree.village_a1)
    MedicalEnrolmentFactory(
        person=person,
        covered_from=datetime.date(2026, 5, 1),
        waiting_reason="集中参保期外参保，等待3个月",
    )
    data = claim_data(person, hospitals["township"])
    data.total = D("4999.00")
    data.hospital_code = "NOPE"
    with pytest.raises(ValidationError) as refused:
        services.claim_submit(acting_user=staff[Role.COUNTY_CLERK], data=data)
    errors = refused.value.message_dict
    assert "与总费用 4999.00 元不符" in errors["total"][0]
    assert "没有定点医疗机构" in errors["hospital_code"][0]
    assert "仍在等待期，2026-05-01 起" in errors["admission_date"][0]


def test_clerk_cannot_submit_for_a_resident_outside_the_township(staff, hospitals, resident_b):
    with pytest.raises(ValidationError) as refused:
        services.claim_submit(
            acting_user=staff[Role.TOWNSHIP_CLERK],
            data=claim_data(resident_b, hospitals["township"]),
        )
    assert "没有参保人" in refused.value.message_dict["id_number"][0]


def test_late_claim_resettles_the_year_with_reversals_and_trial_equals_real(
    staff, hospitals, resident
):
    clerk = staff[Role.COUNTY_CLERK]
    later, _ = services.claim_submit(
        acting_user=clerk,
        data=claim_data(
            resident,
            hospitals["township"],
            invoice="L",
            admission=datetime.date(2026, 6, 1),
            discharge=datetime.date(2026, 6, 5),
        ),
    )
    assert current(later).basic == D("3825.00")  # the first admission of the year so far
    early = claim_data(resident, hospitals["township"], invoice="E")
    _checked, trial = services.trial(acting_user=clerk, data=early)
    assert Claim.objects.count() == 1  # the trial stored nothing
    claim, _ = services.claim_submit(acting_user=clerk, data=early)
    real = current(claim)
    assert (real.basic, real.critical_illness, real.assistance, real.patient) == trial.amounts
    assert real.explanation_steps == trial.explanation
    # the June stay is now the second admission: half the deductible, reversed and re-written
    assert current(later).basic == D("3867.50")
    reversal = Settlement.objects.get(claim=later, reverses__isnull=False)
    assert reversal.basic == D("-3825.00") and reversal.reason == "新补偿"
    count = Settlement.objects.count()
    assert services.resettle([(resident.pk, 2026)], reason="再算一次")["written"] == 0
    assert Settlement.objects.count() == count


def test_policy_correction_resettles_and_accident_pays_after_investigation(
    staff, hospitals, resident, policy
):
    clerk = staff[Role.COUNTY_CLERK]
    accident, _ = services.claim_submit(
        acting_user=clerk,
        data=claim_data(
            resident, hospitals["township"], kind="accidental_injury", diagnosis="S82.2"
        ),
    )
    assert accident.investigation == Investigation.PENDING and current(accident).basic == D("0.00")
    services.claim_investigate(acting_user=staff[Role.COUNTY_CLERK], claim=accident, approved=True)
    assert current(accident).basic == D("3825.00")
    document = dict(policy.document)
    document["inpatient"] = {**document["inpatient"], "class_b_first_pay_share": "0.20"}
    policy_services.policy_save(
        acting_user=staff[Role.COUNTY_ADMIN],
        coverage_year=2026,
        region_code=policy.region_id,
        document=document,
    )
    row = current(accident)
    assert row.basic == D("3740.00") and row.policy_version == 2  # (4 500 − 100) × 0.85
    assert AuditEntry.objects.filter(action="medical.policy.update").exists()


def test_assistance_for_a_subsistence_allowance_recipient(staff, hospitals, resident):
    SpecialStatusFactory(
        person=resident, kind=SpecialStatusKind.SUBSISTENCE_ALLOWANCE, detail="full"
    )
    claim, _ = services.claim_submit(
        acting_user=staff[Role.COUNTY_CLERK],
        data=claim_data(resident, hospitals["level_2"], a="46000", b="10000", own="4000"),
    )
    row = current(claim)
    assert (row.basic, row.critical_illness, row.assistance) == (
        D("38080.00"),
        D("6123.00"),
        D("7557.90"),
    )
    assert row.basic + row.critical_illness + row.assistance + row.patient == D("60000.00")


def test_policy_refused_with_every_problem_and_roles(staff, tree, policy):
    document = dict(policy.document)
    document["outpatient_pooling"] = {**document["outpatient_pooling"], "rate": "1.5"}
    document["inpatient"] = {**document["inpatient"], "levels": {}}
    with pytest.raises(ValidationError) as refused:
        policy_services.policy_save(
            acting_user=staff[Role.COUNTY_ADMIN],
            coverage_year=2026,
            region_code=tree.county.code,
            document=document,
        )
    assert len(refused.value.messages) == 7  # six levels missing and the rate
    from jumin.core.access import PermissionDeniedForRole

    with pytest.raises(PermissionDeniedForRole):
        policy_services.policy_save(
            acting_user=staff[Role.COUNTY_CLERK],
            coverage_year=2026,
            region_code=tree.county.code,
            document=policy.document,
        )
    with pytest.raises(Http404):
        policy_services.policy_save(
            acting_user=staff[Role.COUNTY_ADMIN],
            coverage_year=2026,
            region_code="341126000000",
            document=policy.document,
        )
