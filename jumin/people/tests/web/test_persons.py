import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from jumin.core.models import AuditEntry, Role
from jumin.people import fields
from jumin.people.models import Person, SpecialStatus
from jumin.testing.factories import (
    HouseholdFactory,
    PersonFactory,
    SpecialStatusFactory,
    make_id_number,
)

BIRTH = datetime.date(1962, 3, 15)
NEW_ID = make_id_number(birth_date=BIRTH, sequence=7, sex="male")


def create_form(tree, **changes) -> dict:
    form = {
        "id_number": NEW_ID,
        "name": "周建国",
        "sex": "",
        "birth_date": "",
        "village_id": tree.village_a1.code,
        "household_number": "A1-0001",
        "relation_to_head": "户主",
        "hukou_type": "agricultural",
        "phone": "13900001111",
        "passbook_number": "",
        "social_security_card_number": "",
    }
    return {**form, **changes}


def edit_form(person, **changes) -> dict:
    """The edit page's fields as a browser posts them back unchanged, then ``changes``."""
    form = {}
    for person_field in fields.EDITABLE:
        value = fields.stored_value(person, person_field)
        form[person_field.name] = value.isoformat() if hasattr(value, "isoformat") else value or ""
    return {**form, "reason": "", **changes}


# --------------------------------------------------------------------------- search


def test_search_page_searches_as_you_type_through_the_results_partial(client, staff, tree):
    PersonFactory(village=tree.village_a1, name="周建国")
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    page = client.get(reverse("people:search")).content.decode()
    assert f'hx-get="{reverse("people:search_results")}"' in page
    assert 'hx-trigger="input changed delay:300ms' in page
    partial = client.get(reverse("people:search_results"), {"q": "周"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "周建国" in body
    assert "<html" not in body


def test_search_works_without_javascript_by_submitting_the_form(client, staff, tree):
    person = PersonFactory(village=tree.village_a2, name="钱多多")
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    page = client.get(reverse("people:search"), {"q": person.id_number[:10]}).content.decode()
    assert "<html" in page
    assert "钱多多" in page
    assert person.id_number in page
    assert "西门村" in page
    assert reverse("people:detail", args=[person.pk]) in page


def test_search_shows_at_most_fifty_rows_and_says_there_are_more(client, staff, tree):
    for _ in range(52):
        PersonFactory(village=tree.village_a1, name="王大伟")
    client.force_login(staff[Role.COUNTY_CLERK])
    page = client.get(reverse("people:search_results"), {"q": "王大"}).content.decode()
    assert page.count('<a href="/people/') == 2 * 50  # name and 查看 per row
    assert "超过 50 人" in page


def test_search_says_when_nothing_is_found(client, staff, tree):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    page = client.get(reverse("people:search_results"), {"q": "查无此人"}).content.decode()
    assert "没有找到" in page


@pytest.mark.parametrize("role", [Role.FINANCE, Role.LEADER])
def test_finance_and_leader_see_masked_numbers_everywhere(client, staff, tree, role):
    household = HouseholdFactory(village=tree.village_a1)
    person = PersonFactory(
        village=tree.village_a1, household=household, phone="13912345678", name="孙明"
    )
    client.force_login(staff[role])
    masked_id = person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    pages = [
        client.get(reverse("people:search_results"), {"q": "孙明"}),
        client.get(reverse("people:detail", args=[person.pk])),
        client.get(reverse("people:household", args=[household.pk])),
    ]
    for response in pages:
        body = response.content.decode()
        assert masked_id in body
        assert person.id_number not in body
        assert "13912345678" not in body
    assert "139****5678" in pages[1].content.decode()
    assert client.get(reverse("people:edit", args=[person.pk])).status_code == 403
    assert client.get(reverse("people:create")).status_code == 403


# --------------------------------------------------------------------------- detail


def test_detail_view_is_audited_and_shows_the_whole_record(client, staff, tree):
    household = HouseholdFactory(village=tree.village_a2, number="XM-008")
    person = PersonFactory(village=tree.village_a2, household=household, phone="13800000001")
    SpecialStatusFactory(person=person, kind="subsistence_allowance", detail="partial")
    clerk = staff[Role.TOWNSHIP_CLERK]
    client.force_login(clerk)
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    for text in (person.id_number, "13800000001", "西门村", "定城镇", "XM-008", "低保对象", "差额"):
        assert text in page
    assert reverse("people:household", args=[household.pk]) in page
    entry = AuditEntry.objects.get(action="people.person.view")
    assert (entry.actor, entry.object_id, entry.region_code) == (
        clerk,
        str(person.pk),
        tree.village_a2.code,
    )


def test_detail_marks_which_special_statuses_are_in_force_today(client, staff, tree):
    person = PersonFactory(village=tree.village_a1)
    SpecialStatusFactory(
        person=person,
        kind="extreme_poverty",
        valid_from=datetime.date(2015, 1, 1),
        valid_to=datetime.date(2016, 12, 31),
    )
    SpecialStatusFactory(person=person, kind="severe_disability", detail="2")
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "2015-01-01 至 2016-12-31" in page
    assert "2020-01-01 至 长期" in page
    assert page.count("badge ok") == 1
    assert page.count("已结束") == 1
    assert "二级" in page


@pytest.mark.parametrize("role", list(Role))
def test_history_is_visible_to_every_role_that_sees_the_person(client, staff, tree, role):
    person = PersonFactory(village=tree.village_a1, phone="13900000001")
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    client.post(
        reverse("people:edit", args=[person.pk]),
        edit_form(person, phone="13900000002", reason="本人来电更正"),
    )
    client.force_login(staff[role])
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    history = page[page.index("修改记录") :]
    assert "联系电话" in history
    assert "本人来电更正" in history
    assert staff[Role.TOWNSHIP_CLERK].full_name in history
    if role in (Role.FINANCE, Role.LEADER):
        assert "139****0001 → 139****0002" in history
        assert "13900000002" not in history
    else:
        assert "13900000001 → 13900000002" in history


def test_history_lists_writes_newest_first_and_not_views(client, staff, tree):
    clerk = staff[Role.COUNTY_CLERK]
    client.force_login(clerk)
    client.post(reverse("people:create"), create_form(tree))
    person = Person.objects.get(id_number=NEW_ID)
    client.post(
        reverse("people:edit", args=[person.pk]),
        edit_form(person, village_id=tree.village_a2.code),
    )
    client.get(reverse("people:detail", args=[person.pk]))
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    history = page[page.index("修改记录") :]
    assert "东门村 → 西门村" in history
    assert history.index("修改") < history.index("登记")
    assert "查看" not in history


# --------------------------------------------------------------------------- create


def test_create_registers_the_person_and_goes_to_the_detail_page(client, staff, tree):
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    response = client.post(reverse("people:create"), create_form(tree, sex="male"), follow=True)
    person = Person.objects.get(id_number=NEW_ID)
    assert response.redirect_chain[-1][0] == reverse("people:detail", args=[person.pk])
    assert "已登记：周建国" in response.content.decode()
    assert (person.sex, person.birth_date, person.household.number) == ("male", BIRTH, "A1-0001")
    assert AuditEntry.objects.filter(
        action="people.person.create", object_id=str(person.pk)
    ).exists()


def test_a_clerk_registers_a_passbook_bank_and_changes_it_on_the_edit_page(client, staff, tree):
    """The bank a passbook is with decides the withholding batch a person's dues go to; a
    person registered on the page must be able to carry it."""
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    form = create_form(tree, passbook_number="6228480012345678", passbook_bank="农商行")
    assert client.post(reverse("people:create"), form).status_code == 302
    person = Person.objects.get(id_number=NEW_ID)
    assert person.passbook_bank == "农商行"
    created = AuditEntry.objects.get(action="people.person.create")
    assert created.after["passbook_bank"] == "农商行"
    detail = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "存折开户行" in detail and "农商行" in detail
    edit_page = client.get(reverse("people:edit", args=[person.pk])).content.decode()
    assert 'name="passbook_bank"' in edit_page and 'value="农商行"' in edit_page
    response = client.post(
        reverse("people:edit", args=[person.pk]), edit_form(person, passbook_bank="邮储银行")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.passbook_bank == "邮储银行"
    changed = AuditEntry.objects.get(action="people.person.update")
    assert (changed.before, changed.after) == (
        {"passbook_bank": "农商行"},
        {"passbook_bank": "邮储银行"},
    )


def test_a_passbook_bank_too_long_is_refused_on_the_field(client, staff, tree):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(reverse("people:create"), create_form(tree, passbook_bank="银" * 21))
    assert response.status_code == 200
    assert not Person.objects.exists()


def test_reposting_the_create_form_registers_one_person(client, staff, tree):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    first = client.post(reverse("people:create"), create_form(tree))
    second = client.post(reverse("people:create"), create_form(tree))
    assert first.status_code == 302
    assert second.status_code == 200
    assert Person.objects.filter(id_number=NEW_ID).count() == 1
    body = second.content.decode()
    assert "该身份证号已经登记" in body
    person = Person.objects.get(id_number=NEW_ID)
    assert reverse("people:detail", args=[person.pk]) in body
    assert AuditEntry.objects.filter(action="people.person.create").count() == 1


def test_already_registered_outside_scope_gives_no_link(client, staff, tree):
    other = PersonFactory(village=tree.village_b1)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(reverse("people:create"), create_form(tree, id_number=other.id_number))
    body = response.content.decode()
    assert "该身份证号已经登记" in body
    assert reverse("people:detail", args=[other.pk]) not in body
    assert other.name not in body


def test_lower_case_x_is_accepted_and_stored_upper_case(client, staff, tree):
    number = next(
        make_id_number(birth_date=BIRTH, sequence=n)
        for n in range(500)
        if make_id_number(birth_date=BIRTH, sequence=n).endswith("X")
    )
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    client.post(reverse("people:create"), create_form(tree, id_number=number.lower()))
    assert Person.objects.filter(id_number=number).exists()


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"sex": "female"}, "性别与身份证号不符（身份证号显示为男）"),
        ({"birth_date": "1962-03-16"}, "出生日期与身份证号不符（身份证号显示为1962-03-15）"),
        ({"birth_date": "1962-13-45"}, "日期格式应为 2024-01-31"),
        ({"id_number": NEW_ID[:-1] + "0"}, "身份证号校验位错误"),
        ({"id_number": "12345"}, "身份证号应为18位（现为5位）"),
        ({"name": ""}, "姓名不能为空"),
        ({"phone": "12345"}, "联系电话应为11位手机号"),
        ({"village_id": ""}, "请选择村（社区）"),
        ({"village_id": "341125101001"}, "请从列表中选择您管辖范围内的村（社区）"),
    ],
)
def test_create_shows_the_field_message_and_registers_nobody(
    client, staff, tree, changes, field_message
):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(reverse("people:create"), create_form(tree, **changes))
    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert not Person.objects.exists()
    assert not AuditEntry.objects.filter(action="people.person.create").exists()


def test_create_form_offers_only_villages_in_scope_grouped_by_township(client, staff, tree):
    client.force_login(staff[Role.COUNTY_CLERK])
    page = client.get(reverse("people:create")).content.decode()
    assert '<optgroup label="定城镇">' in page
    assert '<optgroup label="炉桥镇">' in page
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    page = client.get(reverse("people:create")).content.decode()
    assert "东门村" in page and "西门村" in page
    assert "桥南村" not in page
    assert "selected>东门村" not in page  # two villages: the clerk must choose
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    page = client.get(reverse("people:create")).content.decode()
    assert f'<option value="{tree.village_a1.code}" selected>' in page


# --------------------------------------------------------------------------- edit


def test_edit_saves_records_the_change_with_reason_and_redirects(client, staff, tree):
    person = PersonFactory(village=tree.village_a1, phone="13900000001")
    clerk = staff[Role.TOWNSHIP_CLERK]
    client.force_login(clerk)
    response = client.post(
        reverse("people:edit", args=[person.pk]),
        edit_form(person, phone="13900000002", reason="本人来电更正"),
        follow=True,
    )
    assert "修改已保存" in response.content.decode()
    person.refresh_from_db()
    assert person.phone == "13900000002"
    entry = AuditEntry.objects.get(action="people.person.update")
    assert (entry.actor, entry.before, entry.after, entry.reason) == (
        clerk,
        {"phone": "13900000001"},
        {"phone": "13900000002"},
        "本人来电更正",
    )


def test_edit_without_changes_writes_no_audit_entry(client, staff, tree):
    person = PersonFactory(village=tree.village_a1)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(reverse("people:edit", args=[person.pk]), edit_form(person), follow=True)
    assert "没有需要保存的修改" in response.content.decode()
    assert not AuditEntry.objects.filter(action="people.person.update").exists()


def test_edit_shows_field_messages_and_changes_nothing(client, staff, tree):
    person = PersonFactory(village=tree.village_a1, phone="13900000001")
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(
        reverse("people:edit", args=[person.pk]),
        edit_form(person, phone="12", death_date="2100-01-01"),
    )
    body = response.content.decode()
    assert "联系电话应为11位手机号" in body
    assert "死亡日期不能晚于今天" in body
    person.refresh_from_db()
    assert person.phone == "13900000001"


def test_edit_cannot_move_a_person_out_of_the_clerks_township(client, staff, tree):
    person = PersonFactory(village=tree.village_a1)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(
        reverse("people:edit", args=[person.pk]),
        edit_form(person, village_id=tree.village_b1.code),
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.village_id == tree.village_a1.code


# --------------------------------------------------------------------------- household


def test_household_page_lists_members_in_scope(client, staff, tree):
    household = HouseholdFactory(village=tree.village_a1, number="DM-1")
    PersonFactory(
        village=tree.village_a1, household=household, name="赵一", relation_to_head="户主"
    )
    PersonFactory(village=tree.village_a1, household=household, name="赵二", relation_to_head="子")
    PersonFactory(village=tree.village_a1, name="外人")
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    page = client.get(reverse("people:household", args=[household.pk])).content.decode()
    assert "赵一" in page and "赵二" in page and "外人" not in page
    assert "家庭成员（2 人）" in page


# --------------------------------------------------------------------------- special statuses


def test_status_add_from_the_detail_page(client, staff, tree):
    person = PersonFactory(village=tree.village_a1)
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    response = client.post(
        reverse("people:status_add", args=[person.pk]),
        {
            "kind": "severe_disability",
            "detail": "1",
            "valid_from": "2023-05-01",
            "valid_to": "",
            "source": "残联 2023-17",
        },
        follow=True,
    )
    assert "已添加特殊群体身份：重度残疾人" in response.content.decode()
    status = SpecialStatus.objects.get(person=person)
    assert (status.detail, status.valid_from, status.valid_to, status.village_id) == (
        "1",
        datetime.date(2023, 5, 1),
        None,
        tree.village_a1.code,
    )
    assert AuditEntry.objects.filter(action="people.special_status.create").count() == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind": "severe_disability", "valid_from": "2023-01-01"}, "重度残疾人须填写残疾等级"),
        (
            {"kind": "subsistence_allowance", "detail": "3", "valid_from": "2023-01-01"},
            "全额或差额",
        ),
        ({"kind": "", "valid_from": "2023-01-01"}, "请选择特殊群体类别"),
        ({"kind": "extreme_poverty", "valid_from": ""}, "请填写开始日期"),
        (
            {"kind": "extreme_poverty", "valid_from": "2023-01-01", "valid_to": "2022-01-01"},
            "结束日期不能早于开始日期",
        ),
    ],
)
def test_status_add_explains_what_is_wrong(client, staff, tree, form, message):
    person = PersonFactory(village=tree.village_a1)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(reverse("people:status_add", args=[person.pk]), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SpecialStatus.objects.exists()


def test_status_end_from_the_detail_page(client, staff, tree):
    status = SpecialStatusFactory(person=PersonFactory(village=tree.village_a2))
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(
        reverse("people:status_end", args=[status.person_id, status.pk]),
        {"valid_to": "2024-12-31", "reason": "复核不再符合"},
        follow=True,
    )
    assert "结束日期已设为 2024-12-31" in response.content.decode()
    status.refresh_from_db()
    assert status.valid_to == datetime.date(2024, 12, 31)
    entry = AuditEntry.objects.get(action="people.special_status.end")
    assert entry.reason == "复核不再符合"


def test_status_end_before_the_start_is_refused_with_a_message(client, staff, tree):
    status = SpecialStatusFactory(person=PersonFactory(village=tree.village_a2))
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(
        reverse("people:status_end", args=[status.person_id, status.pk]),
        {"valid_to": "2019-12-31"},
    )
    assert "结束日期不能早于开始日期（2020-01-01）" in response.content.decode()
    status.refresh_from_db()
    assert status.valid_to is None


# --------------------------------------------------------------------------- export


def read_workbook(response) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return list(workbook.active.iter_rows(values_only=True))


def test_export_of_one_village_is_an_audited_excel_file(client, staff, tree):
    PersonFactory(village=tree.village_a1, name="东一", phone="13911112222")
    PersonFactory(village=tree.village_a1, name="东二")
    PersonFactory(village=tree.village_a2, name="西一")
    clerk = staff[Role.TOWNSHIP_CLERK]
    client.force_login(clerk)
    response = client.get(reverse("people:export"), {"village": tree.village_a1.code})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_workbook(response)
    assert rows[0][:2] == ("姓名", "身份证号")
    assert sorted(row[0] for row in rows[1:]) == ["东一", "东二"]
    assert "13911112222" in [row[9] for row in rows[1:]]
    entry = AuditEntry.objects.get(action="people.person.export")
    assert (entry.actor, entry.after, entry.region_code) == (
        clerk,
        {"rows": 2, "village": tree.village_a1.code},
        tree.village_a1.code,
    )


def test_export_without_a_village_covers_the_whole_scope_masked_for_finance(client, staff, tree):
    person = PersonFactory(village=tree.village_a1, phone="13911112222")
    PersonFactory(village=tree.village_b2)
    client.force_login(staff[Role.FINANCE])
    rows = read_workbook(client.get(reverse("people:export")))
    assert len(rows) == 3
    first = next(row for row in rows if row[0] == person.name)
    assert first[1] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert first[9] == "139****2222"


def test_export_writes_formula_like_text_as_text(client, staff, tree):
    PersonFactory(village=tree.village_a1, name="=HYPERLINK(A)")
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get(reverse("people:export"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cell = workbook.active["A2"]
    assert cell.value == "=HYPERLINK(A)"
    assert cell.data_type == "s"


def test_status_pages_show_their_forms_on_get(client, staff, tree):
    status = SpecialStatusFactory(person=PersonFactory(village=tree.village_a1))
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    end_page = client.get(reverse("people:status_end", args=[status.person_id, status.pk]))
    assert "这个身份从 2020-01-01 开始" in end_page.content.decode()
    add_page = client.get(reverse("people:status_add", args=[status.person_id]))
    assert 'name="valid_from"' in add_page.content.decode()
    assert "有填写错误" not in add_page.content.decode()
    status.refresh_from_db()
    assert status.valid_to is None
    client.force_login(staff[Role.LEADER])
    assert client.get(reverse("people:status_add", args=[status.person_id])).status_code == 403
