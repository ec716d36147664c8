import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jumin.core.models import AuditEntry, Role
from jumin.people import queries, services
from jumin.people.models import Person, SpecialStatus
from jumin.testing.factories import (
    PersonFactory,
    SpecialStatusFactory,
    StaffFactory,
    make_id_number,
)

DAY = datetime.date


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "on", "in_force"),
    [
        (DAY(2020, 1, 1), DAY(2020, 12, 31), DAY(2019, 12, 31), False),
        (DAY(2020, 1, 1), DAY(2020, 12, 31), DAY(2020, 1, 1), True),
        (DAY(2020, 1, 1), DAY(2020, 12, 31), DAY(2020, 6, 15), True),
        (DAY(2020, 1, 1), DAY(2020, 12, 31), DAY(2020, 12, 31), True),
        (DAY(2020, 1, 1), DAY(2020, 12, 31), DAY(2021, 1, 1), False),
        (DAY(2020, 1, 1), None, DAY(2019, 12, 31), False),
        (DAY(2020, 1, 1), None, DAY(2020, 1, 1), True),
        (DAY(2020, 1, 1), None, DAY(2099, 1, 1), True),
        (DAY(2020, 3, 1), DAY(2020, 3, 1), DAY(2020, 3, 1), True),
    ],
)
def test_special_status_is_in_force_from_start_to_end_inclusive(
    tree, staff, valid_from, valid_to, on, in_force
):
    status = SpecialStatusFactory(
        person=PersonFactory(village=tree.village_a1), valid_from=valid_from, valid_to=valid_to
    )
    assert SpecialStatus.objects.in_force(on=on).filter(pk=status.pk).exists() == in_force
    listed = queries.special_status_list(staff[Role.VILLAGE_ASSISTANT], status.person, on=on)
    assert [item.is_in_force for item in listed] == [in_force]


def test_special_status_list_is_scoped(tree, staff):
    status = SpecialStatusFactory(person=PersonFactory(village=tree.village_b1))
    clerk = staff[Role.TOWNSHIP_CLERK]
    assert list(queries.special_status_list(clerk, status.person, on=DAY(2024, 1, 1))) == []


# --------------------------------------------------------------------------- status add / end


def add(staff, person, **kwargs):
    values = {"kind": "severe_disability", "detail": "1", "valid_from": DAY(2021, 1, 1)}
    return services.special_status_add(
        acting_user=staff[Role.TOWNSHIP_CLERK], person=person, **{**values, **kwargs}
    )


def test_special_status_add_repeated_is_one_status_and_one_audit_entry(tree, staff):
    person = PersonFactory(village=tree.village_a1)
    first = add(staff, person)
    second = add(staff, person)
    assert first.pk == second.pk
    assert SpecialStatus.objects.count() == 1
    assert AuditEntry.objects.filter(action="people.special_status.create").count() == 1


def test_special_status_add_same_start_with_other_values_is_refused(tree, staff):
    person = PersonFactory(village=tree.village_a1)
    add(staff, person)
    with pytest.raises(ValidationError) as raised:
        add(staff, person, detail="2")
    assert "已经登记" in raised.value.message_dict["valid_from"][0]


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (DAY(2022, 1, 1), None),  # inside an open period
        (DAY(2019, 1, 1), DAY(2021, 1, 1)),  # ends on the first day of it
        (DAY(2019, 1, 1), None),  # covers it
    ],
)
def test_overlapping_periods_of_one_kind_are_refused(tree, staff, valid_from, valid_to):
    person = PersonFactory(village=tree.village_a1)
    add(staff, person)
    with pytest.raises(ValidationError) as raised:
        add(staff, person, valid_from=valid_from, valid_to=valid_to)
    assert "重叠" in raised.value.message_dict["valid_from"][0]
    assert SpecialStatus.objects.count() == 1


def test_periods_that_touch_but_do_not_overlap_are_accepted(tree, staff):
    person = PersonFactory(village=tree.village_a1)
    add(staff, person, valid_from=DAY(2019, 1, 1), valid_to=DAY(2020, 12, 31))
    add(staff, person, valid_from=DAY(2021, 1, 1), detail="2")
    add(staff, person, kind="extreme_poverty", detail="", valid_from=DAY(2019, 6, 1))
    assert SpecialStatus.objects.count() == 3
    grades = SpecialStatus.objects.in_force(on=DAY(2021, 3, 1)).filter(kind="severe_disability")
    assert [status.detail for status in grades] == ["2"]


@pytest.mark.parametrize(
    ("kind", "detail", "stored"),
    [
        ("severe_disability", "一级", "1"),
        ("severe_disability", "4级", "4"),
        ("severe_disability", "3", "3"),
        ("subsistence_allowance", "全额", "full"),
        ("subsistence_allowance", "partial", "partial"),
        ("family_planning_special", "独生子女死亡", "独生子女死亡"),
        ("extreme_poverty", "", ""),
    ],
)
def test_special_status_detail_is_stored_in_one_form(tree, staff, kind, detail, stored):
    person = PersonFactory(village=tree.village_a1)
    assert add(staff, person, kind=kind, detail=detail).detail == stored


@pytest.mark.parametrize(
    ("kind", "detail", "field"),
    [
        ("severe_disability", "", "detail"),
        ("severe_disability", "5", "detail"),
        ("subsistence_allowance", "", "detail"),
        ("subsistence_allowance", "一半", "detail"),
        ("no_such_kind", "", "kind"),
    ],
)
def test_special_status_detail_must_fit_the_kind(tree, staff, kind, detail, field):
    person = PersonFactory(village=tree.village_a1)
    with pytest.raises(ValidationError) as raised:
        add(staff, person, kind=kind, detail=detail)
    assert field in raised.value.message_dict
    assert not SpecialStatus.objects.exists()


def test_special_status_end_sets_the_last_day_and_repeating_it_is_harmless(tree, staff):
    status = SpecialStatusFactory(person=PersonFactory(village=tree.village_a1))
    clerk = staff[Role.TOWNSHIP_CLERK]
    services.special_status_end(acting_user=clerk, status=status, valid_to=DAY(2023, 6, 30))
    services.special_status_end(acting_user=clerk, status=status, valid_to=DAY(2023, 6, 30))
    status.refresh_from_db()
    assert status.valid_to == DAY(2023, 6, 30)
    entries = AuditEntry.objects.filter(action="people.special_status.end")
    assert [(entry.before, entry.after) for entry in entries] == [
        ({"valid_to": None}, {"valid_to": "2023-06-30"})
    ]
    assert not SpecialStatus.objects.in_force(on=DAY(2023, 7, 1)).exists()
    assert SpecialStatus.objects.in_force(on=DAY(2023, 6, 30)).exists()


def test_special_status_end_may_not_run_into_a_later_period(tree, staff):
    person = PersonFactory(village=tree.village_a1)
    early = add(staff, person, valid_from=DAY(2019, 1, 1), valid_to=DAY(2019, 12, 31))
    add(staff, person, valid_from=DAY(2021, 1, 1))
    with pytest.raises(ValidationError) as raised:
        services.special_status_end(
            acting_user=staff[Role.TOWNSHIP_CLERK], status=early, valid_to=DAY(2021, 6, 30)
        )
    assert "重叠" in raised.value.message_dict["valid_to"][0]


@pytest.mark.parametrize("role", [Role.FINANCE, Role.LEADER, Role.AUDITOR])
def test_read_only_roles_cannot_write(tree, staff, role):
    person = PersonFactory(village=tree.village_a1)
    with pytest.raises(PermissionDenied):
        services.special_status_add(
            acting_user=staff[role],
            person=person,
            kind="extreme_poverty",
            valid_from=DAY(2021, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        services.person_update(acting_user=staff[role], person=person, data={"phone": ""})
    with pytest.raises(PermissionDenied):
        services.person_create(acting_user=staff[role], data={})


# --------------------------------------------------------------------------- persons


def test_moving_a_person_moves_their_statuses_into_the_new_scope(tree, staff):
    person = PersonFactory(village=tree.village_a1)
    SpecialStatusFactory(person=person)
    services.person_update(
        acting_user=staff[Role.COUNTY_CLERK],
        person=person,
        data={"village_id": tree.village_b1.code},
    )
    assert SpecialStatus.objects.get().village_id == tree.village_b1.code
    clerk_b = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    assert len(queries.special_status_list(clerk_b, person, on=DAY(2024, 1, 1))) == 1


def test_person_update_does_not_change_the_id_number(tree, staff):
    person = PersonFactory(village=tree.village_a1)
    other = make_id_number(birth_date=person.birth_date, sequence=321, sex=person.sex)
    services.person_update(
        acting_user=staff[Role.TOWNSHIP_CLERK], person=person, data={"id_number": other}
    )
    person.refresh_from_db()
    assert person.id_number != other
    assert not AuditEntry.objects.filter(action="people.person.update").exists()


def test_person_create_of_a_known_id_number_raises_the_duplicate_code(tree, staff):
    person = PersonFactory(village=tree.village_a1)
    with pytest.raises(ValidationError) as raised:
        services.person_create(
            acting_user=staff[Role.TOWNSHIP_CLERK],
            data={"id_number": person.id_number, "name": "新人", "village_id": person.village_id},
        )
    assert raised.value.error_dict["id_number"][0].code == "duplicate"
    assert Person.objects.count() == 1


def test_person_history_masks_numbers_for_finance(tree, staff):
    person = PersonFactory(village=tree.village_a1, phone="13900000001")
    services.person_update(
        acting_user=staff[Role.TOWNSHIP_CLERK], person=person, data={"phone": "13900000002"}
    )
    [entry] = queries.person_history(staff[Role.FINANCE], person)
    assert [(c.label, c.before, c.after) for c in entry.changes] == [
        ("联系电话", "139****0001", "139****0002")
    ]
    [entry] = queries.person_history(staff[Role.AUDITOR], person)
    assert entry.changes[0].after == "13900000002"


def test_person_history_includes_special_status_writes(tree, staff):
    person = PersonFactory(village=tree.village_a1)
    status = add(staff, person, kind="subsistence_allowance", detail="full")
    services.special_status_end(
        acting_user=staff[Role.TOWNSHIP_CLERK], status=status, valid_to=DAY(2022, 12, 31)
    )
    other = PersonFactory(village=tree.village_a1)
    add(staff, other)
    history = queries.person_history(staff[Role.TOWNSHIP_CLERK], person)
    assert [entry.action for entry in history] == ["结束特殊群体身份", "添加特殊群体身份"]
    assert ("结束日期", "", "2022-12-31") in [
        (c.label, c.before, c.after) for c in history[0].changes
    ]
    assert ("类别", "", "低保对象") in [(c.label, c.before, c.after) for c in history[1].changes]


def test_person_history_query_count_does_not_grow_with_entries(
    tree, staff, django_assert_num_queries
):
    person = PersonFactory(village=tree.village_a1, phone="13900000000")
    clerk = staff[Role.TOWNSHIP_CLERK]
    for number in range(1, 8):
        services.person_update(
            acting_user=clerk,
            person=person,
            data={"phone": f"1390000000{number}", "village_id": tree.village_a1.code},
        )
    services.person_update(
        acting_user=clerk, person=person, data={"village_id": tree.village_a2.code}
    )
    with django_assert_num_queries(2):  # entries with actors, then village names
        history = queries.person_history(clerk, person)
    assert len(history) == 8
    assert ("村（社区）", "东门村", "西门村") in [
        (c.label, c.before, c.after) for c in history[0].changes
    ]
