"""Bank statement import: control totals, encodings, bad lines, duplicates, matching."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jumin.collection.models import BankStatementFile, BankStatementLine
from jumin.collection.services.statements import statement_import, statement_match
from jumin.collection.tests.factories import BankStatementLineFactory, DepositFactory, statement_csv
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role

LINES = [
    ("2026-03-21", "200.00", "S1", "王会计"),
    ("2026-03-22", "300.50", "S2", "李会计"),
]


def run(staff, content, *, name="statement.csv"):
    return statement_import(
        acting_user=staff[Role.FINANCE],
        region_code="341125",
        bank="农商行",
        file_name=name,
        content=content,
    )


def test_good_file_imports_lines_and_matches_slips(tree, staff):
    deposit = DepositFactory(
        village=tree.village_a1, recorded_by=staff[Role.VILLAGE_ASSISTANT], slip_number="S1"
    )
    result = run(staff, statement_csv(LINES))
    assert result.created and result.new_lines == 2 and result.matched == 1
    statement = result.file
    assert statement.line_count == 2 and statement.amount_sum == Decimal("500.50")
    line = BankStatementLine.objects.get(reference="S1")
    assert line.deposit == deposit and line.region_id == tree.county.code
    assert BankStatementLine.objects.get(reference="S2").deposit is None
    entry = AuditEntry.objects.get(action="collection.bank_statement.import")
    assert entry.after["new_lines"] == 2 and entry.after["matched"] == 1


def test_trailer_control_record_and_gb18030(tree, staff):
    content = statement_csv(
        [("2026/03/21", "200", "S9", "定远县东门村村委会")], header=False, encoding="gb18030"
    )
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    result = run(staff, content)
    assert result.new_lines == 1
    assert BankStatementLine.objects.get().counterparty == "定远县东门村村委会"


def test_totals_that_disagree_refuse_the_whole_file(tree, staff):
    with pytest.raises(ValidationError) as error:
        run(staff, statement_csv(LINES, total=Decimal("500.00")))
    text = "".join(error.value.messages)
    assert "500.00" in text and "500.50" in text and "不符" in text
    assert not BankStatementFile.objects.exists() and not BankStatementLine.objects.exists()
    with pytest.raises(ValidationError) as error:
        run(staff, statement_csv(LINES, count=3))
    assert "3 笔" in "".join(error.value.messages)


def test_bad_lines_are_named_and_nothing_is_written(tree, staff):
    content = statement_csv(
        [
            ("2026-03-21", "200.00", "S1", "王"),
            ("2026-13-40", "12.345", "", "李"),
            ("2026-03-21", "200.00", "S1", "王"),
        ],
        total=Decimal("412.345"),
    )
    with pytest.raises(ValidationError) as error:
        run(staff, content)
    text = "\n".join(error.value.messages)
    assert "第 4 行“入账日期”" in text
    assert "第 4 行“金额”" in text
    assert "第 4 行“凭证号”" in text
    assert "第 5 行“凭证号”：与第 3 行重复" in text
    assert not BankStatementLine.objects.exists()


def test_missing_control_record_is_refused(tree, staff):
    content = "入账日期,金额,凭证号,对方户名\n2026-03-21,200.00,S1,王\n".encode()
    with pytest.raises(ValidationError) as error:
        run(staff, content)
    assert "控制记录" in error.value.messages[0]


def test_same_file_twice_changes_nothing(tree, staff):
    first = run(staff, statement_csv(LINES))
    second = run(staff, statement_csv(LINES), name="again.csv")
    assert not second.created and second.file == first.file
    assert BankStatementFile.objects.count() == 1 and BankStatementLine.objects.count() == 2
    assert AuditEntry.objects.filter(action="collection.bank_statement.import").count() == 1


def test_lines_already_imported_from_another_file_are_skipped(tree, staff):
    run(staff, statement_csv(LINES))
    more = LINES + [("2026-03-23", "100.00", "S3", "张")]
    result = run(staff, statement_csv(more))
    assert result.created and result.new_lines == 1 and result.already_imported == 2
    assert BankStatementLine.objects.count() == 3


@pytest.mark.parametrize(
    "role",
    [
        Role.COUNTY_ADMIN,
        Role.COUNTY_CLERK,
        Role.AUDITOR,
        Role.TOWNSHIP_CLERK,
        Role.VILLAGE_ASSISTANT,
    ],
)
def test_only_finance_imports(tree, staff, role):
    with pytest.raises(PermissionDeniedForRole):
        statement_import(
            acting_user=staff[role],
            region_code="341125",
            bank="农商行",
            file_name="x.csv",
            content=statement_csv(LINES),
        )


def test_xlsx_statement(tree, staff, tmp_path):
    import datetime
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["JUMIN-STATEMENT", 1, 1, 150])
    sheet.append(["入账日期", "金额", "凭证号", "对方户名"])
    sheet.append([datetime.datetime(2026, 3, 21), 150, "S7", "王"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(staff, buffer.getvalue(), name="s.xlsx")
    line = BankStatementLine.objects.get()
    assert result.new_lines == 1 and line.amount == Decimal("150.00")
    assert line.booked_on == datetime.date(2026, 3, 21)


def unmatched_lines(tree, staff, numbers):
    deposits = {}
    for number in numbers:
        slip = f"M{number}"
        deposits[slip] = DepositFactory(
            village=tree.village_a1, recorded_by=staff[Role.VILLAGE_ASSISTANT], slip_number=slip
        )
        BankStatementLineFactory(region=tree.county, reference=slip)
    return deposits


def queries_to_match(county) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        linked = statement_match(county)
    return linked, len(queries)


def test_matching_applies_its_matches_in_one_statement(tree, staff):
    one = unmatched_lines(tree, staff, [0])
    assert queries_to_match(tree.county) == (1, 4)
    twenty = unmatched_lines(tree, staff, range(1, 21))
    assert queries_to_match(tree.county) == (20, 4)
    for slip, deposit in {**one, **twenty}.items():
        assert BankStatementLine.objects.get(reference=slip).deposit == deposit
    assert queries_to_match(tree.county) == (0, 1)  # nothing left to match: one read
