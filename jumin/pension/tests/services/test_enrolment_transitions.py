"""The enrolment's life is one table: every step it does not list is refused, writing nothing."""

import pytest
from django.core.exceptions import ValidationError

from jumin.core.models import AuditEntry, Role
from jumin.pension.models import EnrolmentEvent, EnrolmentStatus
from jumin.pension.registry import PensionAction
from jumin.pension.services.enrolment import TRANSITIONS, Step, enrolment_transition
from jumin.pension.tests.factories import EnrolmentFactory

REFUSED = [
    (status, step)
    for status in EnrolmentStatus.values
    for step in Step
    if (status, step) not in TRANSITIONS
]


def test_the_table_names_every_step_and_refuses_most_pairs():
    assert {step for _status, step in TRANSITIONS} == set(Step)
    assert len(REFUSED) == len(EnrolmentStatus.values) * len(Step) - len(TRANSITIONS) > 40


@pytest.mark.parametrize(("status", "step"), REFUSED)
def test_a_step_not_in_the_table_is_refused_and_writes_nothing(tree, staff, status, step):
    enrolment = EnrolmentFactory(village=tree.village_a1, status=status)
    with pytest.raises(ValidationError) as refused:
        enrolment_transition(
            enrolment,
            step,
            acting_user=staff[Role.COUNTY_ADMIN],
            action=PensionAction.ENROLMENT_CHANGE,
            event_kind=EnrolmentEvent.Kind.CHANGED,
            changes={"note": "不应写入"},
        )
    label = EnrolmentStatus(status).label
    assert refused.value.message_dict["status"] == [
        f"该参保登记状态为“{label}”，不能"
        + {
            Step.TOWNSHIP_APPROVE: "乡镇审核",
            Step.TOWNSHIP_REJECT: "退回",
            Step.COUNTY_APPROVE: "县级审核",
            Step.COUNTY_REJECT: "退回",
            Step.PAUSE: "暂停缴费",
            Step.RESUME: "恢复缴费",
            Step.CLOSE: "注销（未审核完的登记请退回）",
            Step.START_RECEIVING: "开始领取待遇",
        }[step]
    ]
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.note) == (status, "")
    assert not EnrolmentEvent.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(("status", "step"), sorted(TRANSITIONS, key=str))
def test_a_step_in_the_table_moves_the_status_with_one_event_and_one_audit_entry(
    tree, staff, status, step
):
    enrolment = EnrolmentFactory(village=tree.village_a1, status=status)
    moved = enrolment_transition(
        enrolment,
        step,
        acting_user=staff[Role.COUNTY_ADMIN],
        action=PensionAction.ENROLMENT_CHANGE,
        event_kind=EnrolmentEvent.Kind.CHANGED,
        changes={"note": "写入"},
    )
    enrolment.refresh_from_db()
    assert enrolment.status == moved.status == TRANSITIONS[(status, step)]
    assert enrolment.note == "写入"
    assert EnrolmentEvent.objects.filter(enrolment=enrolment).count() == 1
    entry = AuditEntry.objects.get()
    assert (entry.before["status"], entry.after["status"]) == (status, enrolment.status)
