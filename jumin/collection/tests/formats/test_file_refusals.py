"""Bank result, tax and statement files that must be refused whole, with a Chinese message
naming the line and the field, and nothing written.

Each cause is a file a bank or a typing mistake could really produce: a control character in
a name, an amount of 10²⁸ or one wider than the money column, a voucher number longer than its
column, a digit like ``²``, a date after the import day or before 1900, a file with no lines,
a file too big. The import day is passed in (``on=``) or fixed with ``time_machine``.
"""

import datetime
import io
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from jumin.collection.formats.tax_file import tax_file_bytes
from jumin.collection.formats.withholding import GENERIC, FixedWidthAdapter
from jumin.collection.models import (
    BankResultFile,
    BankStatementFile,
    BankStatementLine,
    Due,
    DueStatus,
    TaxPaymentFile,
    TaxPaymentLine,
    WithholdingLine,
)
from jumin.collection.rules import month_of
from jumin.collection.services import withholding as services
from jumin.collection.services.statements import statement_import
from jumin.collection.services.tax import tax_file_import
from jumin.collection.tests.factories import YEAR, statement_csv
from jumin.core.models import AuditEntry, Role
from jumin.core.services.tokens import token_create
from jumin.pension.services.dues import dues_generate
from jumin.pension.tests.factories import EnrolmentFactory, PlanFactory

D = Decimal
BANK = "农商行"
DEDUCTED = datetime.date(2026, 4, 10)
IMPORT_DAY = datetime.date(2026, 5, 1)
# the pages read the import day from the clock: it is frozen at noon of IMPORT_DAY
AT_IMPORT_DAY = datetime.datetime(2026, 5, 1, 12, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def bearer(user) -> dict:
    _, key = token_create(acting_user=None, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def nothing_written() -> None:
    assert not BankResultFile.objects.exists()
    assert not TaxPaymentFile.objects.exists() and not TaxPaymentLine.objects.exists()
    assert not BankStatementFile.objects.exists() and not BankStatementLine.objects.exists()
    assert not Due.objects.filter(status=DueStatus.PAID).exists()
    assert not AuditEntry.objects.filter(
        action__in=[
            "collection.withholding_batch.result_import",
            "collection.tax_file.import",
            "statement.import",
        ]
    ).exists()


# --------------------------------------------------------------------------- bank result files


@pytest.fixture
def batch(tree, staff):
    """A batch of three lines (100, 100, 500 yuan) at 农商行."""
    PlanFactory()
    EnrolmentFactory(
        village=tree.village_a1,
        person__passbook_number="62280000000001",
        person__passbook_bank=BANK,
    )
    EnrolmentFactory(
        village=tree.village_a1,
        person__passbook_number="62280000000002",
        person__passbook_bank=BANK,
    )
    EnrolmentFactory(
        village=tree.village_b1,
        grade=D("500"),
        person__passbook_number="62280000000009",
        person__passbook_bank=BANK,
    )
    dues_generate(acting_user=None, region_code="341125", year=YEAR)
    return services.batch_create(acting_user=None, region_code="341125", bank=BANK, year=YEAR)


def result_text(batch, *, deducted_on=DEDUCTED) -> str:
    lines = [(line, "00", "") for line in services.export_lines(batch)]
    data = GENERIC.result_file(services.batch_header(batch), lines, deducted_on=deducted_on)
    return data.decode("utf-8")


def refused_result(staff, batch, data: bytes, *, on=IMPORT_DAY) -> str:
    with pytest.raises(ValidationError) as caught:
        services.result_import(
            acting_user=staff[Role.COUNTY_CLERK], batch=batch, file_name="r.csv", data=data, on=on
        )
    nothing_written()
    assert set(WithholdingLine.objects.values_list("result", flat=True)) == {"pending"}
    return "\n".join(caught.value.message_dict["file"])


def test_result_file_control_character_names_line_and_field(staff, batch):
    text = result_text(batch)
    line = text.splitlines()[2]  # the second detail line, line 3 of the file
    name = line.split(",")[2]
    bad = text.replace(line, line.replace(name, name[0] + "\x07" + name[1:]))
    message = refused_result(staff, batch, bad.encode())
    assert "第3行：姓名不能包含控制字符（第2个字符 U+0007）" in message


def test_result_file_control_character_that_splitlines_would_cut(staff, batch):
    """U+001E is a line break for ``str.splitlines``: it must not move half a line."""
    text = result_text(batch)
    line = text.splitlines()[1]
    account = line.split(",")[3]
    bad = text.replace(account, account[:4] + "\x1e" + account[4:])
    message = refused_result(staff, batch, bad.encode())
    assert "第2行：账号不能包含控制字符（第5个字符 U+001E）" in message
    assert "字段不全" not in message


def test_result_file_amounts_that_do_not_fit(staff, batch):
    text = result_text(batch)
    lines = text.splitlines()
    huge = lines[1].replace(",100.00,", ",1E+28,")
    wide = lines[2].replace(",100.00,", ",1234567890123.00,")
    header = lines[0].split(",")
    header[4] = "9" * 40
    bad = "\n".join([",".join(header), huge, wide, *lines[3:]]) + "\n"
    message = refused_result(staff, batch, bad.encode())
    assert "第1行：控制行金额合计：金额“" in message and "过大" in message
    # the header refuses the file before its lines are read
    bad = "\n".join([lines[0], huge, wide, *lines[3:]]) + "\n"
    message = refused_result(staff, batch, bad.encode())
    assert "第2行：金额“1E+28”过大（最多 999999999999.99 元）" in message
    assert "第3行：金额“1234567890123.00”过大" in message


def test_result_file_numbers_written_with_other_digits(staff, batch):
    text = result_text(batch)
    lines = text.splitlines()
    bad_line = "²" + lines[1][1:]
    header = lines[0].split(",")
    header[3] = "３"  # full-width 3 passes isdigit() and int()
    bad = "\n".join([",".join(header), bad_line, *lines[2:]]) + "\n"
    message = refused_result(staff, batch, bad.encode())
    assert "第1行：控制行笔数“３”不是整数" in message
    header[3] = "3"
    bad = "\n".join([",".join(header), bad_line, *lines[2:]]) + "\n"
    message = refused_result(staff, batch, bad.encode())
    assert "第2行：行号“²”不是整数" in message
    assert "invalid literal" not in message


def test_result_file_text_longer_than_its_column(staff, batch):
    text = result_text(batch)
    line = text.splitlines()[1]
    cells = line.split(",")
    cells[3] = "6" * 33
    cells[6] = "余" * 201
    bad = text.replace(line, ",".join(cells))
    message = refused_result(staff, batch, bad.encode())
    assert "第2行：账号过长（33个字符，最多32个）" in message
    assert "第2行：失败原因过长（201个字符，最多200个）" in message


@pytest.mark.parametrize(
    ("deducted_on", "expected"),
    [
        (datetime.date(2026, 5, 2), "控制行扣款日期 2026-05-02 晚于导入日 2026-05-01"),
        (datetime.date(1899, 12, 31), "控制行扣款日期 1899-12-31 早于 1900 年"),
    ],
)
def test_result_file_deduction_date_that_makes_no_sense(staff, batch, deducted_on, expected):
    message = refused_result(staff, batch, result_text(batch, deducted_on=deducted_on).encode())
    assert f"第1行：{expected}" in message


def test_result_file_impossible_date_is_told_in_chinese(staff, batch):
    bad = result_text(batch).replace("20260410", "20260231", 1)
    message = refused_result(staff, batch, bad.encode())
    assert "控制行扣款日期“20260231”不正确" in message
    assert "day is out of range" not in message


def test_result_file_without_lines(staff, batch):
    header = services.batch_header(batch)._replace(line_count=0, amount_sum=D("0"))
    data = GENERIC.result_file(header, [], deducted_on=DEDUCTED)
    message = refused_result(staff, batch, data)
    assert "回盘文件没有任何明细行" in message


def test_result_file_too_big_or_too_long_is_refused_before_reading(staff, batch, settings):
    data = result_text(batch).encode()
    settings.JUMIN_BANK_FILE_MAX_BYTES = len(data) - 1
    assert "文件过大" in refused_result(staff, batch, data)
    settings.JUMIN_BANK_FILE_MAX_BYTES = len(data)
    settings.JUMIN_BANK_FILE_MAX_LINES = 3
    assert "文件超过 3 行" in refused_result(staff, batch, data)


def test_fixed_width_file_problems_in_chinese(staff, tree):
    PlanFactory()
    EnrolmentFactory(
        village=tree.village_a1,
        person__passbook_number="6217000000001",
        person__passbook_bank="邮储银行",
    )
    dues_generate(acting_user=None, region_code="341125", year=YEAR)
    batch = services.batch_create(
        acting_user=None, region_code="341125", bank="邮储银行", year=YEAR
    )
    adapter = FixedWidthAdapter()
    lines = [(line, "00", "") for line in services.export_lines(batch)]
    data = adapter.result_file(services.batch_header(batch), lines, deducted_on=DEDUCTED)
    header, detail = data.split(b"\r\n")[:2]
    # a two-byte character across the name and account columns (the file itself decodes);
    # a control character in the reason
    name_at = 1 + 8 + 18
    account_at = name_at + 20
    straddling = detail[:name_at] + b" " * 19 + "王".encode("gb18030") + detail[account_at + 1 :]
    bad = straddling[:-40] + "余额\x07不足".encode("gb18030").ljust(40, b" ")
    assert len(bad) == len(detail)
    message = refused_result(staff, batch, header + b"\r\n" + bad + b"\r\n")
    assert "第2行：姓名的字节无法按 GB18030 读取（可能有汉字被列宽截断）" in message
    assert "第2行：账号的字节无法按 GB18030 读取" in message
    assert "第2行：失败原因不能包含控制字符（第3个字符 U+0007）" in message
    assert "codec" not in message
    huge_fen = header[:41] + b"9" * 15 + header[56:]
    message = refused_result(staff, batch, huge_fen + b"\r\n" + detail + b"\r\n")
    assert "第1行：控制行金额合计：金额“9999999999999.99”过大" in message


@time_machine.travel(AT_IMPORT_DAY, tick=False)
def test_result_file_refusals_through_the_page_and_the_api(client, staff, batch):
    bad = result_text(batch).replace(",100.00,", ",1E+28,", 1).encode()
    client.force_login(staff[Role.COUNTY_CLERK])
    response = client.post(
        reverse("collection:batch_result", args=[batch.pk]),
        {"file": SimpleUploadedFile("r.csv", bad)},
    )
    assert response.status_code == 422
    assert "第2行：金额“1E+28”过大" in response.content.decode()
    response = client.post(
        f"/api/withholding/{batch.pk}/results",
        {"file": SimpleUploadedFile("r.csv", bad)},
        **bearer(staff[Role.COUNTY_CLERK]),
    )
    body = response.json()
    assert response.status_code == 422 and body["code"] == "validation_error"
    assert {"field": "第2行", "message": "金额“1E+28”过大（最多 999999999999.99 元）"} in [
        {"field": error["field"], "message": error["message"]} for error in body["errors"]
    ]
    nothing_written()


@time_machine.travel(AT_IMPORT_DAY, tick=False)
def test_bank_file_over_the_size_limit_is_refused_by_page_and_api(client, staff, batch, settings):
    settings.JUMIN_BANK_FILE_MAX_BYTES = 100
    data = result_text(batch).encode()
    client.force_login(staff[Role.COUNTY_CLERK])
    response = client.post(
        reverse("collection:batch_result", args=[batch.pk]),
        {"file": SimpleUploadedFile("r.csv", data)},
    )
    assert response.status_code == 422 and "文件过大" in response.content.decode()
    response = client.post(
        f"/api/withholding/{batch.pk}/results",
        {"file": SimpleUploadedFile("r.csv", data)},
        **bearer(staff[Role.COUNTY_CLERK]),
    )
    assert response.status_code == 422 and "文件过大" in response.json()["message"]
    nothing_written()


# --------------------------------------------------------------------------- tax files


@pytest.fixture
def payer(tree, staff):
    PlanFactory()
    person = EnrolmentFactory(village=tree.village_b1, person__name="乙二").person
    dues_generate(acting_user=None, region_code="341125", year=YEAR)
    return person


PAID_ON = datetime.date(2026, 3, 20)


def tax_text(payer, *, voucher="T1", name="乙二", year=YEAR, amount="100", paid_on=PAID_ON):
    return tax_file_bytes([(voucher, payer.id_number, name, year, amount, paid_on)]).decode()


def refused_tax(staff, data: bytes, *, on=IMPORT_DAY) -> str:
    with pytest.raises(ValidationError) as caught:
        tax_file_import(
            acting_user=staff[Role.FINANCE],
            region_code="341125",
            file_name="t.csv",
            data=data,
            on=on,
        )
    nothing_written()
    return "\n".join(caught.value.message_dict["file"])


def test_tax_voucher_longer_than_its_column(staff, payer):
    message = refused_tax(staff, tax_text(payer, voucher="T" * 41).encode())
    assert "第3行：税票号码过长（41个字符，最多40个）" in message


def test_tax_amounts_that_do_not_fit(staff, payer):
    text = tax_text(payer).replace(",100.00,", ",1E+28,")
    message = refused_tax(staff, text.encode())
    assert "第3行：金额“1E+28”过大" in message
    text = tax_text(payer).replace("JUMIN-TAX,1,1,100.00", "JUMIN-TAX,1,1,1234567890123.45")
    message = refused_tax(staff, text.encode())
    assert "第1行：控制行金额合计：金额“1234567890123.45”过大" in message


@pytest.mark.parametrize(
    ("paid_on", "expected"),
    [
        (datetime.date(2026, 5, 2), "第3行：缴费日期 2026-05-02 晚于导入日 2026-05-01"),
        (datetime.date(1899, 12, 31), "第3行：缴费日期 1899-12-31 早于 1900 年"),
    ],
)
def test_tax_payment_dated_in_the_future_or_before_1900(staff, payer, paid_on, expected):
    assert expected in refused_tax(staff, tax_text(payer, paid_on=paid_on).encode())


def test_tax_year_name_and_impossible_date(staff, payer):
    text = tax_text(payer, year="²⁰²⁶", name="乙\x7f二").replace("2026-03-20", "2026-02-30")
    message = refused_tax(staff, text.encode())
    assert "第3行：缴费年度“²⁰²⁶”不是年份，应写成 2026" in message
    assert "第3行：姓名不能包含控制字符（第2个字符 U+007F）" in message
    assert "第3行：缴费日期“2026-02-30”不正确" in message
    text = tax_text(payer, year="99999", name="乙\x1b二")
    message = refused_tax(staff, text.encode())
    assert "第3行：缴费年度应在 1900 至 2100 之间" in message
    assert "第3行：姓名不能包含控制字符（第2个字符 U+001B）" in message


def test_tax_file_with_a_nul_byte_is_refused_as_unreadable(staff, payer):
    message = refused_tax(staff, tax_text(payer, name="乙\x00二").encode())
    assert "含有空字节" in message


def test_tax_file_without_lines(staff, payer):
    message = refused_tax(staff, tax_file_bytes([]))
    assert "文件没有任何明细行" in message


@time_machine.travel(AT_IMPORT_DAY, tick=False)
def test_tax_refusals_through_the_page_and_the_api(client, staff, payer):
    bad = tax_text(payer, voucher="T" * 41).encode()
    client.force_login(staff[Role.FINANCE])
    response = client.post(
        reverse("collection:tax_files"), {"file": SimpleUploadedFile("t.csv", bad)}
    )
    assert response.status_code == 422
    assert "第3行：税票号码过长（41个字符，最多40个）" in response.content.decode()
    future = tax_text(payer, paid_on=datetime.date(2026, 5, 2)).encode()
    response = client.post(
        "/api/tax-files",
        {"file": SimpleUploadedFile("t.csv", future)},
        **bearer(staff[Role.FINANCE]),
    )
    body = response.json()
    assert response.status_code == 422
    assert any(
        error["field"] == "第3行" and "晚于导入日 2026-05-01" in error["message"]
        for error in body["errors"]
    )
    nothing_written()


# --------------------------------------------------------------------------- statements


def refused_statement(staff, content: bytes, *, on=IMPORT_DAY) -> str:
    with pytest.raises(ValidationError) as caught:
        statement_import(
            acting_user=staff[Role.FINANCE],
            region_code="341125",
            bank=BANK,
            file_name="s.csv",
            content=content,
            on=on,
        )
    nothing_written()
    return "\n".join(caught.value.message_dict["file"])


def test_statement_line_problems_are_all_named(tree, staff):
    content = statement_csv(
        [
            ("2026-03-21", "1E+28", "S1", "王"),
            ("2026-05-02", "200.00", "S\x072", "王"),
            ("1899-12-31", "1234567890123.00", "S3", "王" * 101),
            ("2026-02-30", "5.00", "S" * 41, "李\x1f四"),
        ],
        total="1.00",
    )
    message = refused_statement(staff, content)
    assert "第 3 行“金额”：金额“1E+28”过大" in message
    assert "第 4 行“入账日期”：入账日期 2026-05-02 晚于导入日 2026-05-01" in message
    assert "第 4 行“凭证号”：凭证号不能包含控制字符（第2个字符 U+0007）" in message
    assert "第 5 行“入账日期”：入账日期 1899-12-31 早于 1900 年" in message
    assert "第 5 行“金额”：金额“1234567890123.00”过大" in message
    assert "第 5 行“对方户名”：对方户名过长（101个字符，最多100个）" in message
    assert "第 6 行“入账日期”：“2026-02-30”不是日期" in message
    assert "第 6 行“凭证号”：凭证号过长（41个字符，最多40个）" in message
    assert "第 6 行“对方户名”：对方户名不能包含控制字符（第2个字符 U+001F）" in message


def test_statement_control_record_that_does_not_fit(tree, staff):
    content = statement_csv([("2026-03-21", "5.00", "S1", "王")], count="²", total="1E+28")
    message = refused_statement(staff, content)
    assert "第 1 行“笔数”：笔数“²”不是整数" in message
    assert "第 1 行“金额合计”：金额合计：金额“1E+28”过大" in message


def test_statement_without_lines(tree, staff):
    message = refused_statement(staff, statement_csv([]))
    assert "文件没有任何明细行" in message


def test_statement_xlsx_over_the_line_limit_and_dates_of_excel_cells(tree, staff, settings):
    book = Workbook()
    sheet = book.active
    sheet.append(["JUMIN-STATEMENT", 1, 2, 300])
    sheet.append(["入账日期", "金额", "凭证号", "对方户名"])
    sheet.append([datetime.datetime(2026, 3, 21), 150, "S7", "王"])
    sheet.append([datetime.datetime(2027, 1, 1), 150, "S8", "王"])
    buffer = io.BytesIO()
    book.save(buffer)
    message = refused_statement(staff, buffer.getvalue())
    assert "第 4 行“入账日期”：入账日期 2027-01-01 晚于导入日 2026-05-01" in message
    settings.JUMIN_BANK_FILE_MAX_LINES = 3
    message = refused_statement(staff, buffer.getvalue())
    assert message == "文件超过 3 行，请分成几个文件导入"


@time_machine.travel(AT_IMPORT_DAY, tick=False)
def test_statement_refusals_through_the_page_and_the_api(client, tree, staff):
    bad = statement_csv([("2026-05-02", "1E+28", "S1", "王")])
    client.force_login(staff[Role.FINANCE])
    response = client.post(
        reverse("collection:statements"), {"bank": BANK, "file": SimpleUploadedFile("s.csv", bad)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "入账日期 2026-05-02 晚于导入日 2026-05-01" in page and "金额“1E+28”过大" in page
    response = client.post(
        "/api/bank-statements",
        {"bank": BANK, "file": SimpleUploadedFile("s.csv", bad)},
        **bearer(staff[Role.FINANCE]),
    )
    assert response.status_code == 422
    assert "金额“1E+28”过大" in str(response.json())
    nothing_written()


# --------------------------------------------------------------------------- reconciliation


@pytest.mark.parametrize("month", ["0001-03", "9999-12", "1899-12", "2101-01"])
def test_reconciliation_month_outside_1900_to_2100_is_refused(month):
    with pytest.raises(ValidationError) as caught:
        month_of(month)
    assert "月份应在 1900 年至 2100 年之间" in caught.value.messages[0]


def test_reconciliation_month_through_the_page_and_the_api(client, tree, staff):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.post(
        reverse("collection:reconciliation_compute"),
        {"region": tree.township_a.code, "month": "9999-12"},
        follow=True,
    )
    assert response.status_code == 200
    assert "月份应在 1900 年至 2100 年之间" in response.content.decode()
    response = client.post(
        "/api/reconciliations",
        {"region_code": tree.township_a.code, "month": "0001-01"},
        content_type="application/json",
        **bearer(staff[Role.TOWNSHIP_CLERK]),
    )
    assert response.status_code == 422
    assert "月份应在 1900 年至 2100 年之间" in str(response.json())
