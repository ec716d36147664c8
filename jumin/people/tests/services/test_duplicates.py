import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jumin.core.models import AuditEntry, Role
from jumin.people import queries, services
from jumin.people.models import DuplicateReview
from jumin.testing.factories import PersonFactory

BIRTH = datetime.date(1958, 8, 8)
DIFFERENT = DuplicateReview.Decision.DIFFERENT_PEOPLE
SAME = DuplicateReview.Decision.SAME_PERSON


def twins(village, *, name="李桂英", birth_date=BIRTH, count=2, other_village=None):
    persons = [PersonFactory(village=village, name=name, birth_date=birth_date)]
    for _ in range(count - 1):
        persons.append(
            PersonFactory(village=other_village or village, name=name, birth_date=birth_date)
        )
    return persons


def review(user, first, second, decision=DIFFERENT, note=""):
    return services.duplicate_review_record(
        acting_user=user, first=first, second=second, decision=decision, note=note
    )


def keys(groups) -> list[tuple]:
    return [(group.name, group.birth_date, len(group.persons)) for group in groups]


def test_same_name_and_birth_date_are_grouped(tree, staff):
    twins(tree.village_a1)
    PersonFactory(village=tree.village_a1, name="李桂英", birth_date=BIRTH.replace(day=9))
    PersonFactory(village=tree.village_a1, name="李桂兰", birth_date=BIRTH)
    groups, more = queries.duplicate_groups(staff[Role.COUNTY_CLERK])
    assert keys(groups) == [("李桂英", BIRTH, 2)]
    assert not more
    assert len(groups[0].pairs) == 1
    assert groups[0].persons[0].id_number != groups[0].persons[1].id_number


def test_duplicates_are_found_only_within_the_users_scope(tree, staff):
    twins(tree.village_a1, other_village=tree.village_b1)
    twins(tree.village_a1, name="张秀兰", other_village=tree.village_a2)
    assert sorted(keys(queries.duplicate_groups(staff[Role.COUNTY_CLERK])[0])) == sorted(
        [("张秀兰", BIRTH, 2), ("李桂英", BIRTH, 2)]
    )
    assert keys(queries.duplicate_groups(staff[Role.TOWNSHIP_CLERK])[0]) == [("张秀兰", BIRTH, 2)]
    assert queries.duplicate_groups(staff[Role.VILLAGE_ASSISTANT])[0] == []


def test_pair_reviewed_as_different_people_is_no_longer_listed(tree, staff):
    first, second = twins(tree.village_a1)
    clerk = staff[Role.COUNTY_CLERK]
    review(clerk, second, first)
    assert queries.duplicate_groups(clerk)[0] == []


def test_pair_marked_same_person_stays_listed_with_its_mark(tree, staff):
    first, second = twins(tree.village_a1)
    clerk = staff[Role.COUNTY_CLERK]
    review(clerk, first, second, decision=SAME, note="同一人两个号")
    [group], _more = queries.duplicate_groups(clerk)
    assert [(pair.decision, pair.note) for pair in group.pairs] == [(SAME, "同一人两个号")]


def test_group_of_three_keeps_the_pairs_not_yet_cleared(tree, staff):
    first, second, third = twins(tree.village_a1, count=3)
    clerk = staff[Role.COUNTY_CLERK]
    review(clerk, first, second)
    [group], _more = queries.duplicate_groups(clerk)
    assert len(group.persons) == 3
    assert {(pair.low.pk, pair.high.pk) for pair in group.pairs} == {
        (first.pk, third.pk),
        (second.pk, third.pk),
    }
    review(clerk, first, third)
    review(clerk, third, second)
    assert queries.duplicate_groups(clerk)[0] == []


def test_review_stores_the_pair_once_with_the_lower_id_first(tree, staff):
    first, second = twins(tree.village_a1)
    clerk = staff[Role.COUNTY_CLERK]
    review(clerk, second, first)
    stored = DuplicateReview.objects.get()
    assert (stored.person_low, stored.person_high) == (first, second)
    assert stored.village_id == first.village_id


def test_repeating_a_review_is_harmless_and_a_new_decision_is_audited(tree, staff):
    first, second = twins(tree.village_a1)
    clerk = staff[Role.AUDITOR]
    review(clerk, first, second, decision=SAME)
    review(clerk, second, first, decision=SAME)
    assert DuplicateReview.objects.count() == 1
    assert AuditEntry.objects.filter(action__startswith="people.duplicate_review").count() == 1
    review(clerk, first, second, decision=DIFFERENT, note="核实为两人")
    stored = DuplicateReview.objects.get()
    assert (stored.decision, stored.note) == (DIFFERENT, "核实为两人")
    update = AuditEntry.objects.get(action="people.duplicate_review.update")
    assert update.before == {"decision": "same_person", "note": ""}
    assert update.after == {"decision": "different_people", "note": "核实为两人"}


@pytest.mark.parametrize("role", [Role.TOWNSHIP_CLERK, Role.FINANCE, Role.LEADER])
def test_review_needs_the_review_permission(tree, staff, role):
    first, second = twins(tree.village_a1)
    with pytest.raises(PermissionDenied):
        review(staff[role], first, second)
    assert not DuplicateReview.objects.exists()


def test_review_of_a_person_with_themselves_is_refused(tree, staff):
    [person] = twins(tree.village_a1, count=1)
    with pytest.raises(ValidationError):
        review(staff[Role.COUNTY_CLERK], person, person)


@pytest.mark.parametrize("count", [2, 20])
def test_duplicate_groups_take_two_queries_however_many_groups(
    tree, staff, django_assert_num_queries, count
):
    clerk = staff[Role.COUNTY_CLERK]
    for number in range(count):
        first, second, _third = twins(
            tree.village_a1,
            name="王秀英",
            birth_date=BIRTH + datetime.timedelta(days=number),
            count=3,
            other_village=tree.village_b2,
        )
        review(clerk, first, second, decision=SAME)
    with django_assert_num_queries(2):
        groups, more = queries.duplicate_groups(clerk)
        names = [person.village.name for group in groups for person in group.persons]
    assert len(groups) == count
    assert len(names) == 3 * count
    assert not more
    assert all(len(group.pairs) == 3 for group in groups)


def test_duplicate_groups_stop_at_the_limit_with_whole_groups(tree, staff):
    for number in range(4):
        twins(tree.village_a1, birth_date=BIRTH + datetime.timedelta(days=number), count=2)
    groups, more = queries.duplicate_groups(staff[Role.COUNTY_CLERK], limit=5)
    assert more
    assert [len(group.persons) for group in groups] == [2, 2]


def test_duplicates_page_lists_groups_and_review_clears_them(client, staff, tree):
    first, second = twins(tree.village_a1, other_village=tree.village_a2)
    client.force_login(staff[Role.COUNTY_CLERK])
    page = client.get(reverse("people:duplicates")).content.decode()
    assert "李桂英，出生日期 1958-08-08，2 人" in page
    assert "不是同一人" in page
    response = client.post(
        reverse("people:duplicate_review"),
        {"first": first.pk, "second": second.pk, "decision": DIFFERENT, "note": "两个人"},
        follow=True,
    )
    body = response.content.decode()
    assert "已记录" in body
    assert "没有疑似重复的人员" in body
    assert AuditEntry.objects.filter(action="people.duplicate_review.create").count() == 1


def test_duplicates_page_without_review_permission_has_no_review_buttons(client, staff, tree):
    twins(tree.village_a1)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    page = client.get(reverse("people:duplicates")).content.decode()
    assert "李桂英" in page
    assert 'name="decision"' not in page


def test_duplicates_page_masks_id_numbers_for_leader(client, staff, tree):
    first, _second = twins(tree.village_a1)
    client.force_login(staff[Role.LEADER])
    page = client.get(reverse("people:duplicates")).content.decode()
    assert first.id_number not in page
    assert first.id_number[:4] + "*" * 10 + first.id_number[-4:] in page


def test_review_form_with_a_missing_decision_says_so(client, staff, tree):
    first, second = twins(tree.village_a1)
    client.force_login(staff[Role.COUNTY_CLERK])
    response = client.post(
        reverse("people:duplicate_review"), {"first": first.pk, "second": second.pk}, follow=True
    )
    assert "请选择核查结论" in response.content.decode()
    assert not DuplicateReview.objects.exists()
