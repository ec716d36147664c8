"""Roster import: row checks, both modes, idempotence, updates, scoping, audit, query counts."""

import datetime
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jumin.core.jobs import Progress
from jumin.core.models import AuditEntry, JobRun, Role
from jumin.people.formats.roster_samples import HEADERS, roster_row, write_csv
from jumin.people.models import Household, Person, SpecialStatus
from jumin.people.services.roster_import_batch import import_roster_file
from jumin.people.tests.rosters import ALL_OR_NOTHING, VALID_ONLY, import_rows
from jumin.testing.factories import PersonFactory, SpecialStatusFactory

pytestmark = pytest.mark.usefixtures("media")


def errors_of(roster_import) -> list[tuple]:
    return [(e["row"], e["column"], e["message"]) for e in roster_import.errors]


def test_good_rows_are_added_with_households(tree, staff, tmp_path):
    rows = [roster_row(n) for n in range(6)]
    roster_import = import_rows(tmp_path, rows, staff[Role.COUNTY_CLERK])
    assert (roster_import.rows_total, roster_import.rows_added) == (6, 6)
    person = Person.objects.get(id_number=rows[4]["身份证号"])
    assert person.village_id == "341125100001"
    assert person.sex == "male" and person.birth_date == datetime.date(1950, 1, 1)
    assert person.household.number == "0002" and person.hukou_type == "agricultural"
    assert Household.objects.count() == 2
    assert person.household.members.count() == 3


def test_wrong_check_digit_is_reported_with_row_and_column(tree, staff, tmp_path):
    bad = roster_row(1)
    bad["身份证号"] = bad["身份证号"][:17] + ("0" if bad["身份证号"][17] != "0" else "1")
    roster_import = import_rows(tmp_path, [roster_row(0), bad], staff[Role.COUNTY_CLERK])
    [(row, column, message)] = errors_of(roster_import)
    assert (row, column) == (3, "身份证号")
    assert message.startswith("身份证号校验位错误")


def test_impossible_birth_date_in_the_id_is_reported(tree, staff, tmp_path):
    first17 = "34112519800230001"  # 30 February
    from jumin.people.rules import check_character

    row = roster_row(1, 身份证号=first17 + check_character(first17), 出生日期="")
    roster_import = import_rows(tmp_path, [row], staff[Role.COUNTY_CLERK])
    assert errors_of(roster_import) == [
        (2, "身份证号", "身份证号中的出生日期 19800230 不是真实日期")
    ]


def test_birth_date_column_contradicting_the_id_is_reported(tree, staff, tmp_path):
    roster_import = import_rows(
        tmp_path, [roster_row(1, 出生日期="1960-05-05")], staff[Role.COUNTY_CLERK]
    )
    assert errors_of(roster_import) == [
        (2, "出生日期", "出生日期与身份证号不符（身份证号显示为1950-01-01）")
    ]


def test_birth_date_in_other_common_shapes_is_accepted(tree, staff, tmp_path):
    rows = [roster_row(1, 出生日期="1950/1/1"), roster_row(2, 出生日期="1950年1月1日")]
    assert import_rows(tmp_path, rows, staff[Role.COUNTY_CLERK]).rows_added == 2


def test_sex_contradicting_the_id_is_reported(tree, staff, tmp_path):
    roster_import = import_rows(tmp_path, [roster_row(1, 性别="女")], staff[Role.COUNTY_CLERK])
    assert errors_of(roster_import) == [(2, "性别", "性别与身份证号不符（身份证号显示为男）")]


def test_several_errors_in_one_row_are_each_listed_and_the_row_counted_once(tree, staff, tmp_path):
    row = roster_row(1, 姓名="", 联系电话="12345", 户籍类型="城镇")
    roster_import = import_rows(tmp_path, [row], staff[Role.COUNTY_CLERK])
    assert [column for _, column, _ in errors_of(roster_import)] == ["姓名", "户籍类型", "联系电话"]
    assert roster_import.rows_rejected == 1


def test_unknown_village_code_is_reported(tree, staff, tmp_path):
    roster_import = import_rows(
        tmp_path, [roster_row(1, village="341125100099")], staff[Role.COUNTY_CLERK]
    )
    assert errors_of(roster_import) == [
        (2, "村代码", "村（社区）代码 341125100099 不存在或不在您的管辖范围内")
    ]


def test_malformed_village_code_is_reported(tree, staff, tmp_path):
    roster_import = import_rows(
        tmp_path, [roster_row(1, village="东门村")], staff[Role.COUNTY_CLERK]
    )
    assert errors_of(roster_import) == [(2, "村代码", "村（社区）代码应为12位数字")]


def test_township_clerk_rows_for_another_township_are_rejected(tree, staff, tmp_path):
    rows = [
        roster_row(1, village=tree.village_a1.code),
        roster_row(2, village=tree.village_b1.code),
    ]
    roster_import = import_rows(tmp_path, rows, staff[Role.TOWNSHIP_CLERK])
    assert roster_import.rows_added == 1
    assert errors_of(roster_import) == [
        (3, "村代码", f"村（社区）代码 {tree.village_b1.code} 不存在或不在您的管辖范围内")
    ]
    assert not Person.objects.filter(village=tree.village_b1).exists()


def test_id_registered_outside_the_scope_is_refused_without_details(tree, staff, tmp_path):
    other = PersonFactory(village=tree.village_b1, name="外乡人", phone="13700000000")
    row = roster_row(1, 身份证号=other.id_number, 姓名="改名", village=tree.village_a1.code)
    row["出生日期"] = other.birth_date.isoformat()
    row["性别"] = "男" if other.sex == "male" else "女"
    roster_import = import_rows(tmp_path, [row], staff[Role.TOWNSHIP_CLERK])
    [(line, column, message)] = errors_of(roster_import)
    assert (line, column) == (2, "身份证号")
    assert "管辖范围以外" in message
    assert tree.village_b1.code not in message and "外乡人" not in message
    other.refresh_from_db()
    assert (other.name, other.village_id) == ("外乡人", tree.village_b1.code)


def test_duplicate_id_in_the_file_names_both_rows_and_imports_neither(tree, staff, tmp_path):
    first = roster_row(1)
    rows = [first, roster_row(2), dict(first, 姓名="李四")]
    roster_import = import_rows(tmp_path, rows, staff[Role.COUNTY_CLERK])
    assert errors_of(roster_import) == [
        (2, "身份证号", "身份证号在文件中重复（第2、4行）"),
        (4, "身份证号", "身份证号在文件中重复（第2、4行）"),
    ]
    assert roster_import.rows_added == 1
    assert not Person.objects.filter(id_number=first["身份证号"]).exists()


def test_15_digit_and_18_digit_forms_of_one_id_are_duplicates(tree, staff, tmp_path):
    from jumin.people.rules import convert_15_to_18

    number15 = "341125500101001"
    rows = [
        roster_row(1, 身份证号=number15, 出生日期=""),
        roster_row(2, 身份证号=convert_15_to_18(number15), 出生日期=""),
    ]
    roster_import = import_rows(tmp_path, rows, staff[Role.COUNTY_CLERK])
    assert {row for row, _, _ in errors_of(roster_import)} == {2, 3}


def test_all_or_nothing_with_one_error_writes_nothing_and_says_so(tree, staff, tmp_path):
    rows = [roster_row(n) for n in range(5)] + [roster_row(9, 性别="女")]
    roster_import = import_rows(tmp_path, rows, staff[Role.COUNTY_CLERK], mode=ALL_OR_NOTHING)
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    assert (roster_import.rows_added, roster_import.rows_rejected) == (0, 1)
    assert roster_import.job.result["outcome"] == "rejected"
    assert "没有导入任何数据" in roster_import.job.message
    assert not AuditEntry.objects.filter(action__startswith="person.").exists()
    assert AuditEntry.objects.get(action="people.roster_import.run").after["outcome"] == "rejected"


def test_all_or_nothing_without_errors_imports_everything(tree, staff, tmp_path):
    rows = [roster_row(n) for n in range(5)]
    roster_import = import_rows(tmp_path, rows, staff[Role.COUNTY_CLERK], mode=ALL_OR_NOTHING)
    assert roster_import.rows_added == 5 and roster_import.job.result["outcome"] == "imported"


def test_valid_only_imports_the_good_rows_and_lists_the_bad(tree, staff, tmp_path):
    rows = [roster_row(n) for n in range(5)] + [roster_row(9, 性别="女")]
    roster_import = import_rows(tmp_path, rows, staff[Role.COUNTY_CLERK], mode=VALID_ONLY)
    assert (roster_import.rows_added, roster_import.rows_rejected) == (5, 1)
    assert "有错误的行没有导入" in roster_import.job.message


def test_importing_the_same_file_again_changes_nothing(tree, staff, tmp_path):
    rows = [roster_row(n) for n in range(8)]
    import_rows(tmp_path, rows, staff[Role.COUNTY_CLERK])
    before = list(Person.objects.order_by("pk").values())
    entries = AuditEntry.objects.filter(action__startswith="person.").count()
    again = import_rows(tmp_path, rows, staff[Role.COUNTY_CLERK])
    assert (again.rows_added, again.rows_updated, again.rows_unchanged) == (0, 0, 8)
    assert list(Person.objects.order_by("pk").values()) == before
    assert Household.objects.count() == 3
    assert AuditEntry.objects.filter(action__startswith="person.").count() == entries


def test_changed_rows_are_updated_and_counted(tree, staff, tmp_path):
    rows = [roster_row(n) for n in range(4)]
    import_rows(tmp_path, rows, staff[Role.COUNTY_CLERK])
    rows[1] = dict(rows[1], 联系电话="13811112222")
    rows[2] = dict(rows[2], 姓名="王新名", 死亡日期="2024-03-01")
    roster_import = import_rows(tmp_path, rows, staff[Role.COUNTY_CLERK], name="second.csv")
    assert (roster_import.rows_added, roster_import.rows_updated) == (0, 2)
    assert roster_import.rows_unchanged == 2
    person = Person.objects.get(id_number=rows[2]["身份证号"])
    assert person.name == "王新名" and person.death_date == datetime.date(2024, 3, 1)
    assert Person.objects.get(id_number=rows[1]["身份证号"]).phone == "13811112222"


def test_a_row_sets_and_changes_the_passbook_bank_and_a_blank_cell_keeps_it(tree, staff, tmp_path):
    """The bank a passbook is with decides the withholding batch a person's dues go to."""
    clerk = staff[Role.COUNTY_CLERK]
    first = import_rows(tmp_path, [roster_row(1, 存折开户行="农商行"), roster_row(2)], clerk)
    assert first.rows_added == 2
    person = Person.objects.get(id_number=roster_row(1)["身份证号"])
    assert person.passbook_bank == "农商行"
    assert Person.objects.get(id_number=roster_row(2)["身份证号"]).passbook_bank == ""
    # another system's roster calls the column 开户行
    headers = [("开户行" if header == "存折开户行" else header) for header in HEADERS]
    path = write_csv(tmp_path / "alias.csv", [roster_row(1, 开户行="邮储银行")], headers=headers)
    second = import_roster_file(path, acting_user=clerk, region=None, mode=VALID_ONLY)
    assert second.rows_updated == 1
    person.refresh_from_db()
    assert person.passbook_bank == "邮储银行"
    entry = AuditEntry.objects.get(action="people.person.import_update")
    assert (entry.before, entry.after) == (
        {"passbook_bank": "农商行"},
        {"passbook_bank": "邮储银行"},
    )
    third = import_rows(tmp_path, [roster_row(1)], clerk, name="blank.csv")
    assert third.rows_unchanged == 1
    person.refresh_from_db()
    assert person.passbook_bank == "邮储银行"
    refused = import_rows(tmp_path, [roster_row(1, 存折开户行="银" * 21)], clerk, name="long.csv")
    assert errors_of(refused) == [(2, "存折开户行", "存折开户行过长（最多20个字）")]


def test_blank_cells_do_not_erase_stored_values(tree, staff, tmp_path):
    import_rows(tmp_path, [roster_row(1)], staff[Role.COUNTY_CLERK])
    roster_import = import_rows(
        tmp_path,
        [roster_row(1, 联系电话="", 户号="", 存折账号="")],
        staff[Role.COUNTY_CLERK],
        name="b.csv",
    )
    assert roster_import.rows_unchanged == 1
    person = Person.objects.get()
    assert person.phone == "13900000001" and person.household is not None


def test_moving_village_updates_person_and_statuses_and_drops_old_household(tree, staff, tmp_path):
    import_rows(tmp_path, [roster_row(1)], staff[Role.COUNTY_CLERK])
    person = Person.objects.get()
    status = SpecialStatusFactory(person=person, village=person.village)
    moved = roster_row(1, village=tree.village_a2.code, 户号="")
    roster_import = import_rows(tmp_path, [moved], staff[Role.COUNTY_CLERK], name="moved.csv")
    assert roster_import.rows_updated == 1
    person.refresh_from_db()
    assert person.village_id == tree.village_a2.code and person.household_id is None
    assert SpecialStatus.objects.get(pk=status.pk).village_id == tree.village_a2.code


def test_audit_entries_for_the_act_and_for_each_person(tree, staff, tmp_path):
    clerk = staff[Role.COUNTY_CLERK]
    import_rows(tmp_path, [roster_row(n) for n in range(3)], clerk)
    rows = [roster_row(0, 联系电话="13600000000"), roster_row(1), roster_row(2), roster_row(3)]
    roster_import = import_rows(tmp_path, rows, clerk, name="second.csv")
    created = AuditEntry.objects.filter(action="people.person.import_create").order_by("pk")
    assert created.count() == 4
    newest = created.last()
    person = Person.objects.get(id_number=rows[3]["身份证号"])
    assert (newest.object_type, newest.object_id) == ("people.person", str(person.pk))
    assert newest.actor == clerk and newest.actor_name == clerk.username
    assert newest.region_code == person.village_id and newest.request_id
    assert newest.after == {"roster_import": roster_import.pk}
    [updated] = AuditEntry.objects.filter(action="people.person.import_update")
    assert updated.before == {"phone": "13900000000"} and updated.after == {"phone": "13600000000"}
    assert f"#{roster_import.pk}" in updated.reason
    act = AuditEntry.objects.filter(action="people.roster_import.run").first()
    assert act.object_id == str(roster_import.pk) and act.actor == clerk
    assert act.after["sha256"] == roster_import.file_sha256
    assert act.after["file_name"] == "second.csv" and act.after["mode"] == "valid_only"
    assert (act.after["added"], act.after["updated"], act.after["unchanged"]) == (1, 1, 2)
    assert act.request_id == updated.request_id


def test_system_import_is_scoped_to_its_region(tree, tmp_path):
    rows = [
        roster_row(1, village=tree.village_a1.code),
        roster_row(2, village=tree.village_b1.code),
    ]
    path = write_csv(tmp_path / "roster.csv", rows)
    roster_import = import_roster_file(
        path, acting_user=None, region=tree.township_b, mode=VALID_ONLY
    )
    assert roster_import.rows_added == 1 and roster_import.created_by is None
    assert Person.objects.get().village_id == tree.village_b1.code
    assert (
        AuditEntry.objects.filter(action="people.person.import_create").get().actor_name == "system"
    )


def test_a_role_that_may_not_import_is_refused(tree, staff, tmp_path):
    from django.core.exceptions import PermissionDenied

    path = write_csv(tmp_path / "roster.csv", [roster_row(1)])
    with pytest.raises(PermissionDenied):
        import_roster_file(
            path, acting_user=staff[Role.VILLAGE_ASSISTANT], region=None, mode=VALID_ONLY
        )
    assert Person.objects.count() == 0


def _counted_run(tmp_path, rows, user, *, name: str):
    """An import whose progress is written only at its start, its stages and its end (never
    on the clock), so a slower run on a busy machine issues no extra query."""
    job = JobRun.objects.create(kind="roster_import", region=user.region, created_by=user)
    path = write_csv(tmp_path / name, rows)
    return import_roster_file(
        path,
        acting_user=user,
        region=None,
        mode=VALID_ONLY,
        progress=Progress(job, min_interval=math.inf),
    )


def _count_write_queries(tmp_path, rows, user) -> int:
    with CaptureQueriesContext(connection) as captured:
        _counted_run(tmp_path, rows, user, name=f"{len(rows)}.csv")
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_the_number_of_rows(
    tree, staff, tmp_path, django_assert_max_num_queries
):
    clerk = staff[Role.COUNTY_CLERK]
    small = [roster_row(n, village=tree.village_a1.code) for n in range(10)]
    queries_for_10 = _count_write_queries(tmp_path, small, clerk)
    large = [roster_row(1000 + n, village=tree.village_a2.code) for n in range(500)]
    with django_assert_max_num_queries(queries_for_10):
        _counted_run(tmp_path, large, clerk, name="large.csv")
    assert Person.objects.count() == 510
    # and again with the 500 known: updates and unchanged rows are set-based too
    changed = [dict(row, 联系电话="13500000000") for row in large]
    with django_assert_max_num_queries(queries_for_10):
        roster_import = _counted_run(tmp_path, changed, clerk, name="changed.csv")
    assert roster_import.rows_updated == 500


def test_a_new_household_number_moves_the_person_to_that_household(tree, staff, tmp_path):
    clerk = staff[Role.COUNTY_CLERK]
    import_rows(tmp_path, [roster_row(1), roster_row(2)], clerk)
    person = Person.objects.get(id_number=roster_row(1)["身份证号"])
    old_household = person.household_id
    roster_import = import_rows(
        tmp_path, [roster_row(1, 户号="0099"), roster_row(2)], clerk, name="b.csv"
    )
    assert (roster_import.rows_updated, roster_import.rows_unchanged) == (1, 1)
    person.refresh_from_db()
    assert person.household.number == "0099" and person.household.village_id == person.village_id
    [entry] = AuditEntry.objects.filter(action="people.person.import_update")
    assert entry.before == {"household_id": old_household}
    assert entry.after == {"household_id": person.household_id}


def test_a_progress_whose_run_served_another_import_gets_a_run_of_its_own(tree, tmp_path):
    from jumin.core.jobs import Progress
    from jumin.core.models import JobRun

    run = JobRun.objects.create(kind="roster_import", region=tree.county)
    progress = Progress(run)
    path = write_csv(tmp_path / "roster.csv", [roster_row(1)])
    first = import_roster_file(
        path, acting_user=None, region=tree.county, mode=VALID_ONLY, progress=progress
    )
    second = import_roster_file(
        path, acting_user=None, region=tree.county, mode=VALID_ONLY, progress=progress
    )
    assert first.job_id == run.pk and second.job_id != run.pk
    assert (first.rows_added, second.rows_unchanged) == (1, 1)
