"""Enrolment pages: list / 待我审核, register, detail, acts, bulk approve, grade, person box;
scoping for every role (out of scope → 404, role without permission → 403)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jumin.core.models import AuditEntry, Role
from jumin.core.pages import may_open
from jumin.pension.models import Enrolment, EnrolmentStatus, GradeChoice
from jumin.pension.services import enrolment as services
from jumin.pension.tests.enrolling import adult, enrol_paying
from jumin.testing.factories import PersonFactory

Status = EnrolmentStatus
COUNTY_ROLES = [Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.FINANCE, Role.AUDITOR, Role.LEADER]


VISIBLE = {
    Role.TOWNSHIP_CLERK: {"a1", "a2"},
    Role.VILLAGE_ASSISTANT: {"a1"},
    **{role: {"a1", "a2", "b1"} for role in COUNTY_ROLES},
}


@pytest.mark.parametrize("role", list(Role))
def test_list_and_detail_are_scoped_for_every_role(client, staff, enrolments, role):
    client.force_login(staff[role])
    response = client.get(reverse("pension:enrolments"))
    assert response.status_code == 200
    shown = {enrolment.pk for enrolment in response.context["page"]}
    assert shown == {enrolments[key].pk for key in VISIBLE[role]}
    for key, enrolment in enrolments.items():
        detail = client.get(reverse("pension:enrolment_detail", args=[enrolment.pk]))
        assert detail.status_code == (200 if key in VISIBLE[role] else 404)


@pytest.mark.parametrize("role", [Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT])
def test_every_act_page_on_an_enrolment_outside_scope_is_404(client, staff, enrolments, role):
    """404 for a role that may open the page; 403 for one that may not, before the enrolment
    is looked up (so the answer never tells whether it exists)."""
    client.force_login(staff[role])
    pk = enrolments["b1"].pk

    def expected(name):
        return 404 if may_open(staff[role], f"pension:{name}") else 403

    answers = {}
    for name in ("enrolment_approve", "enrolment_reject", "enrolment_pause", "enrolment_close"):
        answers[name] = client.post(reverse(f"pension:{name}", args=[pk]), {}).status_code
    for name in ("enrolment_change", "enrolment_resume"):
        answers[name] = client.get(reverse(f"pension:{name}", args=[pk])).status_code
    assert answers == {name: expected(name) for name in answers}
    assert 404 in answers.values()
    assert Enrolment.objects.get(pk=pk).status == Status.PENDING_TOWNSHIP


def test_village_filter_outside_scope_is_404(client, staff, tree, enrolments):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    url = reverse("pension:enrolments")
    assert client.get(url, {"village": tree.village_b1.code}).status_code == 404
    response = client.get(url, {"village": tree.village_a2.code})
    assert {e.pk for e in response.context["page"]} == {enrolments["a2"].pk}


def test_status_counts_and_filter(client, staff, enrolments):
    services.enrolment_township_approve(
        acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=enrolments["a1"]
    )
    client.force_login(staff[Role.COUNTY_CLERK])
    response = client.get(reverse("pension:enrolments"), {"status": "pending_county"})
    assert [e.pk for e in response.context["page"]] == [enrolments["a1"].pk]
    counts = {value: count for value, _label, count in response.context["statuses"]}
    assert counts["pending_township"] == 2 and counts["pending_county"] == 1
    assert response.context["total"] == 3


def test_awaiting_me_shows_what_each_role_must_act_on(client, staff, enrolments):
    services.enrolment_township_approve(
        acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=enrolments["a1"]
    )
    url = reverse("pension:enrolments")
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.get(url, {"mine": "1"})
    assert {e.pk for e in response.context["page"]} == {enrolments["a2"].pk}
    assert response.context["awaiting_count"] == 1
    client.force_login(staff[Role.COUNTY_CLERK])
    response = client.get(url, {"mine": "1"})
    assert {e.pk for e in response.context["page"]} == {enrolments["a1"].pk}
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    response = client.get(url, {"mine": "1"})
    assert list(response.context["page"]) == []


def test_list_query_count_does_not_grow_with_rows(client, staff, tree, plan):
    client.force_login(staff[Role.COUNTY_CLERK])
    clerk = staff[Role.COUNTY_CLERK]
    url = reverse("pension:enrolments")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for _ in range(2):
        services.enrolment_register(acting_user=clerk, person=adult(tree.village_a1))
    few = count_queries()
    for _ in range(6):
        services.enrolment_register(acting_user=clerk, person=adult(tree.village_b2))
    assert count_queries() == few


# --------------------------------------------------------------------------- register


def test_register_page_shows_refusals_before_submit(client, staff, tree, plan):
    # nine or ten years old on any day the page is opened (a 29 February has no twin)
    born = datetime.date(services.today().year - 10, 1, 1)
    child = PersonFactory(village=tree.village_a1, birth_date=born)
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    response = client.get(reverse("pension:enrolment_register"), {"id_number": child.id_number})
    assert response.status_code == 200
    assert response.context["refusals"] == ["未满16周岁，不能参保"]
    assert "未满16周岁，不能参保" in response.content.decode()


def test_register_page_does_not_find_persons_outside_scope(client, staff, tree, plan):
    neighbour = adult(tree.village_a2)
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    response = client.get(reverse("pension:enrolment_register"), {"id_number": neighbour.id_number})
    assert response.context["person"] is None
    assert "不在您的管辖范围内" in response.context["not_found"]
    response = client.get(reverse("pension:enrolment_register"), {"person": neighbour.pk})
    assert response.status_code == 404


def test_register_page_submits_once_even_when_resent(client, staff, tree, plan):
    person = adult(tree.village_a1)
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    data = {"id_number": person.id_number, "grade": "200.00", "note": ""}
    first = client.post(reverse("pension:enrolment_register"), data)
    enrolment = Enrolment.objects.get(person=person)
    assert first.status_code == 302
    assert first.url == reverse("pension:enrolment_detail", args=[enrolment.pk])
    second = client.post(reverse("pension:enrolment_register"), data)
    assert second.status_code == 302 and second.url == first.url
    assert Enrolment.objects.filter(person=person).count() == 1
    assert GradeChoice.objects.get(person=person).amount == Decimal("200")
    assert AuditEntry.objects.filter(action="pension.enrolment.register").count() == 1


def test_register_page_shows_service_refusal_on_submit(client, staff, tree, plan):
    person = adult(tree.village_a1)
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    response = client.post(
        reverse("pension:enrolment_register"),
        {"id_number": person.id_number, "full_time_student": "on"},
    )
    assert response.status_code == 200
    assert "在校学生不参加城乡居保" in response.content.decode()
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("role", [Role.FINANCE, Role.AUDITOR, Role.LEADER])
def test_register_page_is_403_for_roles_that_may_not_register(client, staff, role):
    client.force_login(staff[role])
    assert client.get(reverse("pension:enrolment_register")).status_code == 403


# --------------------------------------------------------------------------- acts


def test_flow_through_the_pages(client, staff, enrolments):
    pk = enrolments["a1"].pk
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    detail = client.get(reverse("pension:enrolment_detail", args=[pk]))
    assert detail.context["actions"] == {"approve", "reject", "change", "grade"}
    client.post(reverse("pension:enrolment_approve", args=[pk]))
    assert Enrolment.objects.get(pk=pk).status == Status.PENDING_COUNTY
    client.force_login(staff[Role.FINANCE])
    assert client.post(reverse("pension:enrolment_approve", args=[pk])).status_code == 403
    client.force_login(staff[Role.COUNTY_CLERK])
    client.post(reverse("pension:enrolment_approve", args=[pk]))
    assert Enrolment.objects.get(pk=pk).status == Status.PAYING
    response = client.post(
        reverse("pension:enrolment_pause", args=[pk]), {"reason": "unreachable", "note": ""}
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(pk=pk).status == Status.PAUSED
    client.post(reverse("pension:enrolment_resume", args=[pk]), {"note": "已联系上"})
    assert Enrolment.objects.get(pk=pk).status == Status.PAYING
    today = services.today().isoformat()
    client.post(
        reverse("pension:enrolment_close", args=[pk]),
        {"reason": "transfer_out", "closed_on": today, "note": ""},
    )
    enrolment = Enrolment.objects.get(pk=pk)
    assert (enrolment.status, enrolment.close_reason) == (Status.TERMINATED, "transfer_out")
    page = client.get(reverse("pension:enrolment_detail", args=[pk])).content.decode()
    for label in ("村级登记", "乡镇审核通过", "县级审核通过", "暂停缴费", "恢复缴费", "注销登记"):
        assert label in page


def test_reject_page_needs_a_reason_and_shows_it(client, staff, enrolments):
    pk = enrolments["a1"].pk
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    url = reverse("pension:enrolment_reject", args=[pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and Enrolment.objects.get(pk=pk).status == "pending_township"
    client.post(url, {"reason": "缺户口簿"})
    enrolment = Enrolment.objects.get(pk=pk)
    assert (enrolment.status, enrolment.rejection_reason) == (Status.REJECTED, "缺户口簿")


def test_close_page_is_403_for_the_township_clerk(client, staff, tree, plan):
    enrolment = enrol_paying(staff, adult(tree.village_a1))
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    assert client.get(reverse("pension:enrolment_close", args=[enrolment.pk])).status_code == 403
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    assert client.get(reverse("pension:enrolment_pause", args=[enrolment.pk])).status_code == 403


def test_change_page_moves_village_within_scope(client, staff, tree, plan):
    enrolment = enrol_paying(staff, adult(tree.village_a1))
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    url = reverse("pension:enrolment_change", args=[enrolment.pk])
    response = client.post(url, {"village": tree.village_b1.code, "note": "", "reason": ""})
    assert response.status_code == 200  # B1 is not a choice for township A
    response = client.post(
        url,
        {
            "village": tree.village_a2.code,
            "note": "搬家",
            "reason": "迁居",
            "full_time_student": "",
        },
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.village_id, enrolment.note) == (tree.village_a2.code, "搬家")


def test_bulk_approve_page_all_or_nothing(client, staff, enrolments):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    url = reverse("pension:enrolment_approve_many")
    ids = [enrolments["a1"].pk, enrolments["a2"].pk]
    response = client.post(url, {"ids": [*ids, enrolments["b1"].pk]})
    assert response.status_code == 404
    assert Enrolment.objects.filter(status=Status.PENDING_TOWNSHIP).count() == 3
    response = client.post(url, {"ids": ids})
    assert response.status_code == 302
    assert Enrolment.objects.filter(pk__in=ids, status=Status.PENDING_COUNTY).count() == 2
    response = client.post(url, {"ids": ids}, follow=True)
    assert "不在待乡镇审核状态" in response.content.decode()
    client.force_login(staff[Role.COUNTY_CLERK])
    assert client.post(url, {"ids": ids}).status_code == 403


def test_township_list_has_checkboxes(client, staff, enrolments):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    page = client.get(reverse("pension:enrolments"), {"mine": "1"}).content.decode()
    assert f'name="ids" value="{enrolments["a1"].pk}"' in page


# --------------------------------------------------------------------------- grade


def test_grade_page_sets_the_grade_and_refuses_others(client, staff, tree, plan):
    person = adult(tree.village_a1)
    enrolment = enrol_paying(staff, person)
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    url = reverse("pension:grade_choose", args=[person.pk, plan.year])
    response = client.get(url)
    assert response.status_code == 200 and response.context["lowest"] == Decimal("100")
    response = client.post(url, {"amount": "150"})
    assert response.status_code == 200 and not GradeChoice.objects.exists()
    response = client.post(url, {"amount": "1500.00"})
    assert response.status_code == 302
    assert response.url == reverse("pension:enrolment_detail", args=[enrolment.pk])
    assert GradeChoice.objects.get(person=person).amount == Decimal("1500")


def test_grade_page_scoping_and_permission(client, staff, tree, plan):
    neighbour = adult(tree.village_a2)
    enrol_paying(staff, neighbour)
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    url = reverse("pension:grade_choose", args=[neighbour.pk, plan.year])
    assert client.get(url).status_code == 404
    client.force_login(staff[Role.FINANCE])
    assert client.get(url).status_code == 403


# --------------------------------------------------------------------------- person page


def test_person_page_shows_the_pension_box(client, staff, tree, plan):
    person = adult(tree.village_a1)
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "城乡居保" in page and "未参保" in page and "办理参保登记" in page
    enrolment = enrol_paying(staff, person)
    services.grade_choose(
        acting_user=staff[Role.VILLAGE_ASSISTANT], person=person, year=plan.year, amount="700"
    )
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "正常缴费" in page and "700.00 元" in page
    assert reverse("pension:enrolment_detail", args=[enrolment.pk]) in page
    assert "办理参保登记" not in page


def test_register_page_from_the_person_box(client, staff, tree, plan):
    person = adult(tree.village_a1)
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    response = client.get(reverse("pension:enrolment_register"), {"person": person.pk})
    assert response.status_code == 200 and response.context["person"] == person


def test_pages_need_login(client, enrolments):
    response = client.get(reverse("pension:enrolments"))
    assert response.status_code == 302 and "login" in response.url


def test_dead_person_page_refusal(client, staff, tree, plan):
    person = adult(tree.village_a1, death_date=datetime.date(2020, 1, 1))
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    response = client.get(reverse("pension:enrolment_register"), {"id_number": person.id_number})
    assert "已死亡，不能参保" in response.context["refusals"]
