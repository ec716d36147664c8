import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from jumin.collection.formats.withholding import (
    GENERIC,
    ExportLine,
    FixedWidthAdapter,
    adapter_for,
)
from jumin.collection.models import (
    BankResultFile,
    BatchStatus,
    Channel,
    Due,
    DueKind,
    DueStatus,
    LineResult,
    WithholdingLine,
)
from jumin.collection.services import withholding as services
from jumin.collection.tests.factories import YEAR
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role
from jumin.pension.models import Enrolment, EnrolmentStatus
from jumin.pension.services.dues import dues_generate
from jumin.pension.tests.factories import EnrolmentFactory, PlanFactory

D = Decimal
BANK = "农商行"
DAY = datetime.date(2026, 4, 10)


@pytest.fixture
def county_dues(tree, staff):
    """Four paying enrollees with a passbook at 农商行, one at another bank, one with none."""
    PlanFactory()
    people = [
        EnrolmentFactory(
            village=tree.village_a1,
            person__passbook_number=f"6228000000000{i}",
            person__passbook_bank=BANK,
        ).person
        for i in range(3)
    ]
    people.append(
        EnrolmentFactory(
            village=tree.village_b1,
            grade=D("500"),
            person__passbook_number="62280000000009",
            person__passbook_bank=BANK,
        ).person
    )
    EnrolmentFactory(
        village=tree.village_a1,
        person__passbook_number="6217000000001",
        person__passbook_bank="邮储银行",
    )
    EnrolmentFactory(village=tree.village_a2)
    dues_generate(acting_user=staff[Role.COUNTY_CLERK], region_code="341125", year=YEAR)
    return people


def create(staff, bank=BANK, user=Role.COUNTY_CLERK):
    return services.batch_create(
        acting_user=staff[user], region_code="341125", bank=bank, year=YEAR
    )


def parse_export(data: bytes) -> tuple[list, list[ExportLine]]:
    rows = data.decode("utf-8").splitlines()
    header = rows[0].split(",")
    lines = []
    for row in rows[1:]:
        number, id_number, name, account, amount = row.split(",")
        lines.append(ExportLine(int(number), id_number, name, account, D(amount)))
    return header, lines


def result_for(batch, outcomes, *, adapter=GENERIC, header=None, encoding="utf-8"):
    """A bank result file: ``outcomes`` maps line number → (code, reason); all others paid."""
    lines = list(services.export_lines(batch))
    rows = [(line, *outcomes.get(line.line_number, ("00", "成功"))) for line in lines]
    kwargs = {"encoding": encoding} if adapter is GENERIC else {}
    return adapter.result_file(
        header or services.batch_header(batch), rows, deducted_on=DAY, **kwargs
    )


def import_(staff, batch, data, name="result.csv"):
    return services.result_import(
        acting_user=staff[Role.COUNTY_CLERK], batch=batch, file_name=name, data=data
    )


def test_round_trip_create_export_result_confirm(tree, staff, county_dues):
    batch = create(staff)
    assert (batch.round, batch.line_count, batch.amount_sum) == (1, 4, D("800.00"))
    assert Due.objects.filter(status=DueStatus.IN_BATCH).count() == 4
    data, file_name = services.batch_export(acting_user=staff[Role.COUNTY_CLERK], batch=batch)
    assert file_name == "代扣-341125-2026-农商行-01.csv"
    header, lines = parse_export(data)
    assert header == ["JUMIN-WH", "1", "341125-2026-农商行-01", "4", "800.00"]
    assert [line.line_number for line in lines] == [1, 2, 3, 4]
    assert {line.account_number for line in lines} == {p.passbook_number for p in county_dues}
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPORTED

    result = result_for(batch, {2: ("51", "余额不足")})
    imported, created = import_(staff, batch, result)
    assert created and (imported.paid_count, imported.failed_count) == (3, 1)
    batch.refresh_from_db()
    assert (batch.paid_count, batch.paid_sum, batch.failed_count) == (3, D("700.00"), 1)
    failed_line = WithholdingLine.objects.get(batch=batch, line_number=2)
    assert failed_line.result == LineResult.FAILED and failed_line.bank_reason == "51 余额不足"
    assert failed_line.due.status == DueStatus.OPEN
    paid = Due.objects.filter(status=DueStatus.PAID)
    assert paid.count() == 3
    due = paid.first()
    assert (due.channel, due.paid_on, due.paid_amount) == (Channel.BANK, DAY, due.amount)
    assert due.payment_reference == "代扣341125-2026-农商行-01"

    # the same file again changes nothing
    states = list(Due.objects.order_by("pk").values_list("status", flat=True))
    again, created = import_(staff, batch, result)
    assert not created and again.pk == imported.pk
    assert list(Due.objects.order_by("pk").values_list("status", flat=True)) == states
    assert BankResultFile.objects.count() == 1

    # the failed due appears in the next round, alone
    second = create(staff)
    assert (second.round, second.line_count) == (2, 1)
    assert WithholdingLine.objects.get(batch=second).due_id == failed_line.due_id

    with pytest.raises(PermissionDeniedForRole):
        services.batch_confirm(acting_user=staff[Role.COUNTY_CLERK], batch=batch)
    confirmed = services.batch_confirm(acting_user=staff[Role.FINANCE], batch=batch)
    assert confirmed.status == BatchStatus.CONFIRMED and confirmed.confirmed_at
    assert Due.objects.filter(status=DueStatus.CONFIRMED, confirmed_at__isnull=False).count() == 3
    services.batch_confirm(acting_user=staff[Role.FINANCE], batch=batch)
    assert AuditEntry.objects.filter(action="collection.withholding_batch.confirm").count() == 1
    # the second batch still has a pending line: not confirmable
    with pytest.raises(ValidationError, match="还有1笔没有回盘结果"):
        services.batch_confirm(acting_user=staff[Role.FINANCE], batch=second)
    with pytest.raises(ValidationError, match="已由财务核对"):
        import_(staff, batch, result_for(batch, {2: ("51", "余额不足 ")}))
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "collection.withholding_batch.create",
        "collection.withholding_batch.export",
        "collection.withholding_batch.result_import",
        "collection.withholding_batch.confirm",
    } <= actions
    assert (
        AuditEntry.objects.filter(action="collection.withholding_batch.result_import").count() == 1
    )


def test_a_different_file_with_the_same_results_changes_nothing(tree, staff, county_dues):
    batch = create(staff)
    import_(staff, batch, result_for(batch, {1: ("51", "余额不足")}))
    # same results, GB18030 this time: different bytes, nothing new
    second, created = import_(
        staff, batch, result_for(batch, {1: ("51", "余额不足")}, encoding="gb18030")
    )
    assert created and second.paid_count == 0 and second.failed_count == 0
    # a contradicting result for a line already returned is refused
    with pytest.raises(ValidationError, match="已回盘为扣款失败"):
        import_(staff, batch, result_for(batch, {}))


def test_gb18030_result_file_is_read(tree, staff, county_dues):
    batch = create(staff)
    imported, _ = import_(
        staff, batch, result_for(batch, {3: ("14", "账户已销户")}, encoding="gb18030")
    )
    assert imported.failed_count == 1
    assert WithholdingLine.objects.get(batch=batch, line_number=3).bank_reason == "14 账户已销户"


def bad_file(batch, replace):
    text = result_for(batch, {}).decode("utf-8")
    return replace(text).encode("utf-8")


def refused(staff, batch, data) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        import_(staff, batch, data)
    assert Due.objects.filter(status=DueStatus.PAID).count() == 0
    assert not BankResultFile.objects.exists()
    return caught.value.message_dict["file"]


def test_unknown_account_wrong_amount_and_repeated_line_are_all_listed(tree, staff, county_dues):
    batch = create(staff)
    lines = list(services.export_lines(batch))
    wrong_account = lines[0]._replace(account_number="9999")
    wrong_amount = lines[1]._replace(amount=D("150.00"))
    rows = [
        (wrong_account, "00", ""),
        (wrong_amount, "00", ""),
        (lines[2], "00", ""),
        (lines[2], "00", ""),
        (lines[3]._replace(line_number=77), "00", ""),
    ]
    header = services.batch_header(batch)._replace(line_count=5, amount_sum=D("1050.00"))
    data = GENERIC.result_file(header, rows, deducted_on=DAY)
    messages = refused(staff, batch, data)
    text = "\n".join(messages)
    assert "第2行：账号9999不是本批次第1行的扣款账号（未知账号）" in text
    assert "第3行：金额150.00元与代扣金额100.00元不一致" in text
    assert "第5行：行号3重复出现" in text
    assert "第6行：行号77不在本批次中" in text
    assert Due.objects.filter(status=DueStatus.IN_BATCH).count() == 4


def test_wrong_totals_refuse_the_whole_file(tree, staff, county_dues):
    batch = create(staff)
    header = services.batch_header(batch)._replace(amount_sum=D("900.00"))
    messages = refused(staff, batch, result_for(batch, {}, header=header))
    assert any("金额合计不符：控制行为900.00元，明细合计800.00元" in m for m in messages)
    header = services.batch_header(batch)._replace(line_count=5)
    messages = refused(staff, batch, result_for(batch, {}, header=header))
    assert any("笔数不符：控制行为5笔，明细为4笔" in m for m in messages)


def test_truncated_line_is_refused(tree, staff, county_dues):
    batch = create(staff)
    data = bad_file(batch, lambda text: text.rstrip("\n").rsplit(",", 3)[0] + "\n")
    messages = refused(staff, batch, data)
    assert any("第5行：字段不全" in m for m in messages)
    assert any("笔数不符" in m for m in messages)


def test_unreadable_encoding_and_wrong_header(tree, staff, county_dues):
    batch = create(staff)
    messages = refused(staff, batch, result_for(batch, {}).decode("utf-8").encode("utf-16"))
    assert any("编码" in m for m in messages)
    messages = refused(staff, batch, b"hello,world\n1,2\n")
    assert any("首行应为控制行" in m for m in messages)
    other = result_for(batch, {}).replace(b"341125-2026-", b"341125-2025-")
    assert any("批次号" in m for m in refused(staff, batch, other))


def test_fixed_width_adapter_round_trip(tree, staff, county_dues):
    batch = create(staff, bank="邮储银行")
    assert isinstance(adapter_for(batch.bank), FixedWidthAdapter)
    data, file_name = services.batch_export(acting_user=staff[Role.FINANCE], batch=batch)
    assert file_name.endswith(".txt")
    rows = data.split(b"\r\n")
    assert rows[0].startswith(b"H341125-2026-") and rows[0].endswith(
        b"0000000001" + b"10000".rjust(15, b"0")
    )
    assert len(rows[1]) == 1 + 8 + 18 + 20 + 32 + 12
    adapter = FixedWidthAdapter()
    result = adapter.result_file(
        services.batch_header(batch),
        [(line, "0051", "余额不足") for line in services.export_lines(batch)],
        deducted_on=DAY,
    )
    parsed = adapter.parse_result(result)
    lines = list(parsed.lines)
    assert (parsed.line_count, parsed.amount_sum, parsed.deducted_on) == (1, D("100.00"), DAY)
    assert lines[0].reason == "余额不足" and not lines[0].paid
    imported, _ = import_(staff, batch, result, name="result.txt")
    assert imported.failed_count == 1
    truncated = result[:-10]
    with pytest.raises(ValidationError, match="行可能被截断"):
        import_(staff, batch, truncated + b"\r\n")


def test_no_dues_no_batch_and_scoping(tree, staff, county_dues):
    with pytest.raises(ValidationError, match="没有可由工商银行代扣"):
        create(staff, bank="工商银行")
    with pytest.raises(PermissionDeniedForRole):
        create(staff, user=Role.TOWNSHIP_CLERK)
    with pytest.raises(PermissionDeniedForRole):
        create(staff, user=Role.AUDITOR)
    batch = create(staff, user=Role.FINANCE)
    from jumin.testing.factories import StaffFactory

    elsewhere = StaffFactory(role=Role.COUNTY_CLERK, region=tree.township_b)
    with pytest.raises(Http404):
        services.batch_export(acting_user=elsewhere, batch=batch)
    with pytest.raises(Http404):
        services.result_import(acting_user=elsewhere, batch=batch, file_name="x", data=b"x")


def test_a_batch_takes_the_payers_the_scheme_names_with_the_same_statements_for_any_size(
    tree, staff, county_dues
):
    """The pension keeps a paused enrollee's due out of bank withholding (its ``bank_payers``);
    one line or three, the batch is the same handful of statements."""
    Enrolment.objects.filter(person=county_dues[0]).update(status=EnrolmentStatus.PAUSED)
    counted = {}
    for bank in ("邮储银行", BANK):
        with CaptureQueriesContext(connection) as queries:
            batch = create(staff, bank=bank)
        counted[batch.line_count] = len(queries)
    assert sorted(counted) == [1, 3]
    assert counted[1] == counted[3]
    assert not WithholdingLine.objects.filter(person=county_dues[0]).exists()
    paused_due = Due.objects.get(person=county_dues[0], kind=DueKind.PERSONAL)
    assert paused_due.status == DueStatus.OPEN
