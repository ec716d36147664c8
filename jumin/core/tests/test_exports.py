"""Every staff download goes through jumin.core.exports: stored text never breaks a workbook and
never becomes a formula; CSV opens in Excel with its Chinese text."""

import datetime
import io
import pathlib
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

import jumin
from jumin.core import audit
from jumin.core.exports import ExcelExport, csv_content, csv_response, csv_text
from jumin.core.models import AuditEntry, Role
from jumin.people.models import Person
from jumin.testing.factories import PersonFactory

FORMULA = '=HYPERLINK("http://example.com","点我")'


def read_workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def store_raw(person: Person, name: str) -> None:
    """Write a name the way a row from before the input rule (or a bad file) would hold it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Person._meta.db_table} SET name = %s WHERE id = %s",  # noqa: S608
            [name, person.pk],
        )


# --------------------------------------------------------------------------- the helper


def test_text_cells_never_become_formulas_and_control_characters_show():
    workbook = ExcelExport()
    sheet = workbook.sheet("测试")
    sheet.append([FORMULA, "+1", "-1", "@SUM(A1)", "王\x07五", "a\x00b", "\ud800", "多\n行"])
    sheet.append([Decimal("12.50"), 3, datetime.date(2026, 3, 1), None, True])
    cells = read_workbook(workbook.content())["测试"]
    first = [cell for cell in next(cells.iter_rows(min_row=1, max_row=1))]
    assert [cell.data_type for cell in first] == ["s"] * 8
    assert [cell.value for cell in first] == [
        FORMULA,
        "+1",
        "-1",
        "@SUM(A1)",
        "王\ufffd五",
        "a\ufffdb",
        "\ufffd",
        "多\n行",
    ]
    second = [cell.value for cell in next(cells.iter_rows(min_row=2, max_row=2))][:5]
    assert second == [12.5, 3, datetime.datetime(2026, 3, 1), None, True]


def test_aware_datetimes_are_written_in_local_time():
    moment = timezone.make_aware(datetime.datetime(2026, 3, 1, 8, 30))
    workbook = ExcelExport()
    workbook.sheet("时间").append([moment])
    value = read_workbook(workbook.content())["时间"]["A1"].value
    assert value == timezone.localtime(moment).replace(tzinfo=None)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_puts_an_apostrophe_before_what_excel_would_run(start):
    assert csv_text(f"{start}1+1") == f"'{start}1+1"


def test_csv_is_utf8_with_bom_and_crlf_and_safe_text():
    content = csv_content(
        [["姓名", "金额", "日期"], ["王\x07五", Decimal("12.50"), datetime.date(2026, 3, 1)]]
    )
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text == "姓名,金额,日期\r\n王\ufffd五,12.50,2026-03-01\r\n"


def test_csv_response_is_an_attachment_excel_opens_as_utf8():
    response = csv_response([["姓名"], ["=HYPERLINK(1)"]], file_name="名单.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert "%E5%90%8D%E5%8D%95.csv" in response["Content-Disposition"]
    assert response.content == "\ufeff姓名\r\n'=HYPERLINK(1)\r\n".encode()


def test_csv_keeps_ordinary_text_and_negative_numbers():
    assert csv_text("王五") == "王五"
    assert csv_text(Decimal("-1.00")) == "-1.00"  # a number, not text that starts with "-"
    assert csv_text(None) == ""


def test_every_staff_download_uses_the_helper():
    """``Workbook(`` and ``csv.writer(`` appear only where a file is not a staff download of
    stored text: the helper itself, partners' fixed formats, sample files and benchmarks."""
    allowed = {
        "jumin/core/exports.py": "the helper",
        "jumin/collection/formats/tax_file.py": "tax-bureau file format (a partner's fixed format)",
        "jumin/collection/formats/withholding.py": "bank file formats (partners' fixed formats)",
        "jumin/pension/formats/payment.py": "the bank payment file (a partner's fixed format)",
        "jumin/people/formats/roster_samples.py": "sample rosters for tests and the bench",
        "jumin/people/formats/roster_workbooks.py": "the blank roster template: constants, bold headers",
        "jumin/bench/people.py": "benchmark input files",
        "jumin/bench/collection.py": "benchmark input files",
    }
    root = pathlib.Path(jumin.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        relative = f"jumin/{path.relative_to(root)}"
        if "/tests/" in relative:
            continue
        text = path.read_text(encoding="utf-8")
        if any(call in text for call in ("Workbook(", "csv.writer(", "csv.DictWriter(")):
            found.add(relative)
    assert found <= set(allowed), sorted(found - set(allowed))
    assert "jumin/core/exports.py" in found


# --------------------------------------------------------------------------- the exports


@pytest.mark.parametrize("role", list(Role))
def test_person_export_writes_stored_control_characters_for_every_role(client, staff, tree, role):
    bell = PersonFactory(village=tree.village_a1, name="王五")
    formula = PersonFactory(village=tree.village_a1, name="赵六")
    store_raw(bell, "王\x07五")
    store_raw(formula, FORMULA)
    client.force_login(staff[role])
    response = client.get(reverse("people:export"))
    if response.status_code == 403:
        return  # a role without the export; the others prove the file
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = read_workbook(response.content).worksheets[0]
    names = {row[0].value: row[0].data_type for row in sheet.iter_rows(min_row=2)}
    assert names == {"王\ufffd五": "s", FORMULA: "s"}


def test_some_role_can_export_persons(client, staff, tree):
    client.force_login(staff[Role.COUNTY_CLERK])
    assert client.get(reverse("people:export")).status_code == 200


def test_audit_export_survives_control_characters_in_the_trail(client, staff, tree):
    with connection.cursor() as cursor:
        audit.record(
            actor=staff[Role.COUNTY_ADMIN],
            action="people.person.view",
            object_type="people.person",
            object_label="placeholder",
            region_code=tree.village_a1.code,
        )
        entry = AuditEntry.objects.latest("pk")
        # the trail is append-only (a trigger refuses UPDATE): insert a copy as old rows hold it
        columns = [
            field.column
            for field in AuditEntry._meta.concrete_fields
            if not field.primary_key and field.column != "object_label"
        ]
        cursor.execute(
            f"INSERT INTO {AuditEntry._meta.db_table} ({', '.join(columns)}, object_label) "  # noqa: S608
            f"SELECT {', '.join(columns)}, %s FROM {AuditEntry._meta.db_table} WHERE id = %s",
            ["王\x07五" + FORMULA, entry.pk],
        )
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get(reverse("core:audit_export"))
    assert response.status_code == 200
    sheet = read_workbook(response.content).worksheets[0]
    labels = [row[5] for row in sheet.iter_rows(min_row=2)]
    assert any(cell.value == "王\ufffd五" + FORMULA and cell.data_type == "s" for cell in labels)


@pytest.mark.django_db(transaction=True)
def test_progress_export_answers_outside_a_test_transaction(client, staff):
    """Its audit entry needs a transaction of its own: in production there is no outer one."""
    client.force_login(staff[Role.COUNTY_CLERK])
    response = client.get(reverse("reports:progress_export"), {"year": 2026})
    assert response.status_code == 200
    sheet = read_workbook(response.content).worksheets[0]
    assert "征缴进度" in sheet["A1"].value
    assert AuditEntry.objects.filter(action="reports.progress.export").count() == 1


def test_region_template_downloads(client, staff):
    client.force_login(staff[Role.COUNTY_ADMIN])
    response = client.get(reverse("core:region_import_template"))
    assert response.status_code == 200
    sheet = read_workbook(response.content).worksheets[0]
    assert sheet["A2"].value == "341125100000"
    assert sheet["A2"].data_type == "s"
