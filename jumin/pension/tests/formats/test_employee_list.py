"""Employee-scheme list import: control characters named by row and column, dates before 1900,
and files over the size or row limit refused whole; nothing written."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jumin.core.models import Role
from jumin.pension.models import EmployeeSchemeMember
from jumin.pension.services.employee_list import import_employee_list
from jumin.testing.factories import make_id_number

ID_1 = make_id_number(birth_date=datetime.date(1985, 3, 1), sequence=11)
ID_2 = make_id_number(birth_date=datetime.date(1990, 7, 9), sequence=12, sex="female")
HEADER = "身份证号,姓名,参保单位,参保日期\n"


def run(tree, text: str):
    return import_employee_list(
        io.BytesIO(text.encode()), acting_user=None, region_code=tree.county.code
    )


def test_control_characters_and_old_dates_are_named_and_nothing_is_written(tree):
    text = HEADER + f"{ID_1},张\x07伟,盐化公司,2015-03-01\n{ID_2},李娜,商贸\x1b公司,1899-12-01\n"
    result = run(tree, text)
    assert result.errors == [
        {"row": 2, "column": "姓名", "message": "不能包含控制字符（第2个字符 U+0007）"},
        {"row": 3, "column": "参保单位", "message": "不能包含控制字符（第3个字符 U+001B）"},
    ]
    result = run(tree, HEADER + f"{ID_2},李娜,商贸公司,1899-12-01\n")
    assert result.errors == [{"row": 2, "column": "参保日期", "message": "1899-12-01早于1900年"}]
    assert EmployeeSchemeMember.objects.count() == 0


def test_files_over_the_limits_are_refused_whole(tree, settings):
    text = HEADER + f"{ID_1},张伟,盐化公司,2015-03-01\n{ID_2},李娜,商贸公司,2019-07-15\n"
    settings.JUMIN_EMPLOYEE_LIST_MAX_ROWS = 2
    assert run(tree, text).errors == [
        {"row": None, "column": "", "message": "文件超过 2 行，请分成几个文件导入"}
    ]
    settings.JUMIN_EMPLOYEE_LIST_MAX_ROWS = 3
    settings.JUMIN_EMPLOYEE_LIST_MAX_BYTES = 50
    assert run(tree, text).errors[0]["message"].startswith("文件过大")
    assert EmployeeSchemeMember.objects.count() == 0


def test_the_page_shows_the_refusal(client, tree, staff):
    client.force_login(staff[Role.COUNTY_CLERK])
    data = (HEADER + f"{ID_1},张\x07伟,盐化公司,2015-03-01\n").encode()
    response = client.post(
        reverse("pension:employee_list"), {"file": SimpleUploadedFile("l.csv", data)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "第2行" in page and "不能包含控制字符（第2个字符 U+0007）" in page
    assert EmployeeSchemeMember.objects.count() == 0
