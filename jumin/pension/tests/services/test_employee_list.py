"""Import of the employee-scheme member list: CLI, page, bad rows, re-import, GB18030."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook

from jumin.core.models import AuditEntry, Role
from jumin.pension.formats.employee_list import parse_date
from jumin.pension.models import EmployeeSchemeMember
from jumin.pension.services.employee_list import import_employee_list
from jumin.pension.services.enrolment import enrolment_register, today
from jumin.pension.tests.enrolling import adult, enrol_paying
from jumin.pension.tests.factories import PlanFactory
from jumin.testing.factories import PersonFactory, make_id_number

ID_1 = make_id_number(birth_date=datetime.date(1985, 3, 1), sequence=11)
ID_2 = make_id_number(birth_date=datetime.date(1990, 7, 9), sequence=12, sex="female")
ID_3 = make_id_number(birth_date=datetime.date(1975, 1, 20), sequence=13)


def csv_bytes(rows, encoding="utf-8") -> bytes:
    return "\n".join(",".join(row) for row in rows).encode(encoding)


GOOD = [
    ["身份证号", "姓名", "参保单位", "参保日期"],
    [ID_1, "张伟", "定远县盐化有限公司", "2015-03-01"],
    [ID_2, "李娜", "滁州市某某商贸", "2019/7/15"],
    [ID_3, "王强", "", "201201"],
]


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def run(tree, data: bytes, user=None, name="list.csv"):
    return import_employee_list(
        io.BytesIO(data), acting_user=user, region_code=tree.county.code, file_name=name
    )


def test_good_file_is_imported_and_reimport_changes_nothing(tree):
    result = run(tree, csv_bytes(GOOD))
    assert result.errors == []
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    member = EmployeeSchemeMember.objects.get(id_number=ID_2)
    assert (member.name, member.employer, member.since) == (
        "李娜",
        "滁州市某某商贸",
        datetime.date(2019, 7, 15),
    )
    assert EmployeeSchemeMember.objects.get(id_number=ID_3).since == datetime.date(2012, 1, 1)
    assert member.region_id == tree.county.code
    stamps = dict(EmployeeSchemeMember.objects.values_list("id_number", "imported_at"))
    again = run(tree, csv_bytes(GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert dict(EmployeeSchemeMember.objects.values_list("id_number", "imported_at")) == stamps
    entries = AuditEntry.objects.filter(action="pension.employee_list.import")
    assert entries.count() == 1
    assert entries.get().after["created"] == 3


def test_changed_row_is_updated(tree):
    run(tree, csv_bytes(GOOD))
    changed = [GOOD[0], [ID_1, "张伟", "新单位", "2015-03-01"]]
    result = run(tree, csv_bytes(changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert EmployeeSchemeMember.objects.get(id_number=ID_1).employer == "新单位"
    assert EmployeeSchemeMember.objects.count() == 3


def test_bad_rows_are_named_and_nothing_is_written(tree):
    wrong_check = ID_1[:17] + ("0" if ID_1[17] != "0" else "1")
    rows = [
        GOOD[0],
        [ID_1, "张伟", "单位", "2015-03-01"],
        [wrong_check, "坏号", "单位", "2015-03-01"],
        ["12345", "短号", "单位", ""],
        [ID_2, "李娜", "单位", "去年"],
        [ID_1, "张伟", "单位", "2015-03-01"],
    ]
    result = run(tree, csv_bytes(rows))
    assert not result.imported
    where = [(error["row"], error["column"]) for error in result.errors]
    assert where == [(3, "身份证号"), (4, "身份证号"), (5, "参保日期"), (6, "身份证号")]
    messages = [error["message"] for error in result.errors]
    assert "校验位错误" in messages[0]
    assert "应为18位" in messages[1]
    assert "不是日期" in messages[2]
    assert "与第2行重复" in messages[3]
    assert EmployeeSchemeMember.objects.count() == 0
    assert not AuditEntry.objects.filter(action="pension.employee_list.import").exists()


def test_missing_id_column_is_refused(tree):
    result = run(tree, csv_bytes([["姓名", "单位"], ["张伟", "x"]]))
    assert result.errors[0]["column"] == "身份证号"
    assert "找不到“身份证号”列" in result.errors[0]["message"]


def test_gb18030_csv_and_header_variants(tree):
    rows = [
        ["公民身份号码", "姓名", "单位名称", "参保时间"],
        [ID_1, "张伟", "定远县盐化有限公司", "2015年3月1日"],
    ]
    result = run(tree, csv_bytes(rows, "gb18030"))
    assert result.errors == [] and result.created == 1
    member = EmployeeSchemeMember.objects.get()
    assert (member.name, member.employer, member.since) == (
        "张伟",
        "定远县盐化有限公司",
        datetime.date(2015, 3, 1),
    )


def test_xlsx_with_date_cells(tree):
    rows = [GOOD[0], [ID_1, "张伟", "单位", datetime.datetime(2016, 5, 4)]]
    result = run(tree, xlsx_bytes(rows), name="list.xlsx")
    assert result.errors == []
    assert EmployeeSchemeMember.objects.get().since == datetime.date(2016, 5, 4)


def test_parse_date_forms():
    assert parse_date("2015-03-01") == datetime.date(2015, 3, 1)
    assert parse_date("20150301") == datetime.date(2015, 3, 1)
    assert parse_date("2015.3") == datetime.date(2015, 3, 1)
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("2015-13-01")


def test_import_needs_permission_and_scope(tree, staff):
    from jumin.core.access import PermissionDeniedForRole

    with pytest.raises(PermissionDeniedForRole):
        run(tree, csv_bytes(GOOD), user=staff[Role.TOWNSHIP_CLERK])
    result = run(tree, csv_bytes(GOOD), user=staff[Role.COUNTY_CLERK])
    assert result.created == 3
    assert (
        AuditEntry.objects.get(action="pension.employee_list.import").actor
        == (staff[Role.COUNTY_CLERK])
    )


# --------------------------------------------------------------------------- CLI


def test_cli_imports_and_lists_enrolled_persons_on_the_list(tree, staff, tmp_path, capsys):
    PlanFactory(region=tree.county, year=today().year)
    person = adult(tree.village_a1)
    enrol_paying(staff, person)
    rows = [*GOOD, [person.id_number, person.name, "某公司", "2020-01-01"]]
    path = tmp_path / "职保名单.csv"
    path.write_bytes(csv_bytes(rows, "gb18030"))
    call_command("import_employee_list", str(path), region="341125", no_progress=True)
    out = capsys.readouterr().out
    assert "共4行：新增4人" in out
    assert "已参加职保的城乡居保参保人员：1人" in out
    assert person.name in out
    call_command("import_employee_list", str(path), region="341125", no_progress=True)
    assert "新增0人，更新0人，未变4人" in capsys.readouterr().out
    assert EmployeeSchemeMember.objects.count() == 4


def test_cli_bad_file_exits_with_errors(tree, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([GOOD[0], ["123", "x", "", ""]]))
    with pytest.raises(CommandError):
        call_command("import_employee_list", str(path), region="341125", no_progress=True)
    assert "第2行【身份证号】" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有这个区划代码"):
        call_command("import_employee_list", str(path), region="999999", no_progress=True)


def test_cli_alias_is_registered():
    from jumin.cli import ALIASES

    assert ALIASES["import-employee-list"] == "import_employee_list"


# --------------------------------------------------------------------------- page


def upload(data: bytes, name="list.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_page_import_by_county_clerk_shows_conflicts(client, tree, staff):
    PlanFactory(region=tree.county, year=today().year)
    person = adult(tree.village_a1)
    enrolment = enrol_paying(staff, person)
    other = PersonFactory(village=tree.village_b1, birth_date=datetime.date(1970, 2, 2))
    client.force_login(staff[Role.COUNTY_CLERK])
    rows = [*GOOD, [person.id_number, person.name, "某公司", "2020-01-01"]]
    response = client.post(reverse("pension:employee_list"), {"file": upload(csv_bytes(rows))})
    assert response.status_code == 200
    assert [row.pk for row in response.context["conflicts"]] == [enrolment.pk]
    assert "已参加职保的城乡居保参保人员（1人）" in response.content.decode()
    assert other.name not in response.content.decode()


def test_page_shows_row_errors(client, tree, staff):
    client.force_login(staff[Role.COUNTY_ADMIN])
    bad = csv_bytes([GOOD[0], ["123", "x", "", ""]])
    response = client.post(reverse("pension:employee_list"), {"file": upload(bad)})
    assert response.status_code == 200
    assert "第2行" in response.content.decode() and "应为18位" in response.content.decode()
    assert EmployeeSchemeMember.objects.count() == 0


@pytest.mark.parametrize("role", [Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT, Role.FINANCE])
def test_page_import_is_403_for_other_roles(client, tree, staff, role):
    client.force_login(staff[role])
    assert client.get(reverse("pension:employee_list")).status_code == 200
    response = client.post(reverse("pension:employee_list"), {"file": upload(csv_bytes(GOOD))})
    assert response.status_code == 403
    assert EmployeeSchemeMember.objects.count() == 0


def test_township_clerk_sees_only_own_conflicts(client, tree, staff):
    PlanFactory(region=tree.county, year=today().year)
    mine = adult(tree.village_a1)
    theirs = adult(tree.village_b1)
    enrol_paying(staff, mine)
    enrolment_register(acting_user=staff[Role.COUNTY_CLERK], person=theirs)
    for person in (mine, theirs):
        EmployeeSchemeMember.objects.create(id_number=person.id_number, region=tree.county)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.get(reverse("pension:employee_list"))
    assert [row.person for row in response.context["conflicts"]] == [mine]


def test_cli_records_its_run_and_refuses_while_the_region_imports_elsewhere(tree, tmp_path):
    from jumin.core import jobs
    from jumin.core.models import JobRun, JobStatus
    from jumin.pension.registry import PensionAction

    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(GOOD))
    call_command("import_employee_list", str(path), region="341125", no_progress=True)
    run = JobRun.objects.get()
    assert (run.kind, run.natural_key, run.status) == (
        PensionAction.EMPLOYEE_LIST_IMPORT,
        "341125000000",
        JobStatus.DONE,
    )
    EmployeeSchemeMember.objects.all().delete()
    jobs.start_here(
        kind=PensionAction.EMPLOYEE_LIST_IMPORT,
        natural_key="341125000000",
        region_id="341125000000",
        acting_user=None,
        params={},
    )
    with pytest.raises(CommandError):
        call_command("import_employee_list", str(path), region="341125", no_progress=True)
    assert not EmployeeSchemeMember.objects.exists()
