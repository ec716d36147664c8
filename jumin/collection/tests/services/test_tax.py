import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jumin.collection.formats.tax_file import tax_file_bytes
from jumin.collection.models import Channel, Due, DueStatus, TaxPaymentFile, TaxPaymentLine
from jumin.collection.services.tax import tax_file_confirm, tax_file_import
from jumin.collection.tests.factories import YEAR
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import AuditEntry, Role
from jumin.pension.services.dues import dues_generate
from jumin.pension.tests.factories import EnrolmentFactory, PlanFactory
from jumin.testing.factories import PersonFactory, StaffFactory

D = Decimal
DAY = datetime.date(2026, 3, 20)


@pytest.fixture
def people(tree, staff):
    PlanFactory()
    result = [
        EnrolmentFactory(village=tree.village_a1).person,
        EnrolmentFactory(village=tree.village_b1, grade=D("300")).person,
        EnrolmentFactory(village=tree.village_a2).person,
    ]
    dues_generate(acting_user=staff[Role.COUNTY_CLERK], region_code="341125", year=YEAR)
    return result


def line(person, voucher, amount, year=YEAR, name=None):
    return (voucher, person.id_number, name or person.name, year, amount, DAY)


def import_(staff, data, role=Role.FINANCE, name="tax.csv"):
    return tax_file_import(acting_user=staff[role], region_code="341125", file_name=name, data=data)


def refused(staff, data) -> str:
    with pytest.raises(ValidationError) as caught:
        import_(staff, data)
    assert not TaxPaymentFile.objects.exists()
    assert not Due.objects.filter(status=DueStatus.PAID).exists()
    return "\n".join(caught.value.message_dict["file"])


def test_good_file_pays_dues_and_twice_changes_nothing_then_confirm(staff, people):
    data = tax_file_bytes([line(people[0], "T001", "100"), line(people[1], "T002", "300")])
    tax_file, created = import_(staff, data)
    assert created and (tax_file.line_count, tax_file.amount_sum) == (2, D("400.00"))
    due = Due.objects.get(person=people[1])
    assert (due.status, due.channel, due.paid_amount, due.paid_on, due.payment_reference) == (
        DueStatus.PAID,
        Channel.TAX,
        D("300.00"),
        DAY,
        "T002",
    )
    assert TaxPaymentLine.objects.get(voucher_number="T002").village_id == people[1].village_id
    again, created = import_(staff, data)
    assert not created and again.pk == tax_file.pk
    assert TaxPaymentLine.objects.count() == 2
    assert AuditEntry.objects.filter(action="collection.tax_file.import").count() == 1
    with pytest.raises(PermissionDeniedForRole):
        tax_file_confirm(acting_user=staff[Role.COUNTY_CLERK], tax_file=tax_file)
    tax_file_confirm(acting_user=staff[Role.FINANCE], tax_file=tax_file)
    tax_file_confirm(acting_user=staff[Role.FINANCE], tax_file=tax_file)
    assert Due.objects.filter(status=DueStatus.CONFIRMED).count() == 2
    assert Due.objects.get(person=people[2]).status == DueStatus.OPEN
    assert AuditEntry.objects.filter(action="collection.tax_file.confirm").count() == 1


def test_gb18030_file_with_title_row(staff, people):
    data = tax_file_bytes([line(people[0], "税001", "100")], encoding="gb18030")
    tax_file, _ = import_(staff, data, role=Role.COUNTY_CLERK)
    assert tax_file.matched_count == 1


def test_every_bad_line_is_listed_and_nothing_is_imported(tree, staff, people):
    stranger = PersonFactory(village=tree.village_a1)  # registered, never enrolled: no due
    data = tax_file_bytes(
        [
            line(people[0], "T1", "100"),
            line(people[0], "T1", "100"),  # repeated voucher (and the same due)
            line(people[1], "T3", "200"),  # amount ≠ the open due (300)
            line(people[2], "T4", "100", name="张冒名"),  # name mismatch
            ("T5", "110101199001011237", "无名", YEAR, "100", DAY),  # unknown ID
            line(stranger, "T6", "100"),  # no due
            line(people[2], "T7", "100", year=2025),  # no due for that year
        ]
    )
    text = refused(staff, data)
    assert "第4行：税票号码T1与第3行重复" in text
    assert "第5行：金额200.00元与应缴金额300.00元不一致" in text
    assert "第6行：姓名“张冒名”与登记的" in text
    assert "第7行：身份证号110101199001011237在本县没有登记" in text
    assert f"第8行：{stranger.name}2026年没有应缴记录" in text
    assert f"第9行：{people[2].name}2025年没有应缴记录" in text


def test_totals_truncated_lines_encoding_and_earlier_vouchers(staff, people):
    good = tax_file_bytes([line(people[0], "T1", "100")])
    assert "金额合计不符" in refused(staff, good.replace(b",1,100.00", b",1,200.00"))
    assert "笔数不符：控制行为2笔，明细为1笔" in refused(
        staff, good.replace(b",1,100.00", b",2,100.00")
    )
    truncated = good.rstrip(b"\n").rsplit(b",", 2)[0] + b"\n"
    assert "第3行：字段不全" in refused(staff, truncated)
    assert "编码" in refused(staff, good.decode().encode("utf-16"))
    assert "首行应为控制行" in refused(staff, b"a,b\n")
    import_(staff, good)
    # another file naming the same voucher: refused as already imported
    other = tax_file_bytes([line(people[0], "T1", "100"), line(people[1], "T2", "300")])
    with pytest.raises(ValidationError, match="税票号码T1已在以前的文件中导入"):
        import_(staff, other)
    # a due already paid through the tax file cannot be paid again
    again = tax_file_bytes([line(people[0], "T9", "100")])
    with pytest.raises(ValidationError, match="已缴费"):
        import_(staff, again)


def test_scoping_and_roles(tree, staff, people):
    data = tax_file_bytes([line(people[0], "T1", "100")])
    with pytest.raises(PermissionDeniedForRole):
        import_(staff, data, role=Role.TOWNSHIP_CLERK)
    with pytest.raises(PermissionDeniedForRole):
        import_(staff, data, role=Role.LEADER)
    elsewhere = StaffFactory(role=Role.FINANCE, region=tree.township_b)
    with pytest.raises(Http404):
        tax_file_import(acting_user=elsewhere, region_code="341125", file_name="x", data=data)
    tax_file, _ = import_(staff, data)
    with pytest.raises(Http404):
        tax_file_confirm(acting_user=elsewhere, tax_file=tax_file)


def test_due_being_withheld_by_the_bank_is_not_paid_by_tax(tree, staff):
    from jumin.collection.services.withholding import batch_create

    PlanFactory()
    person = EnrolmentFactory(
        village=tree.village_a1, person__passbook_number="6228001", person__passbook_bank="农商行"
    ).person
    dues_generate(acting_user=None, region_code="341125", year=YEAR)
    batch_create(acting_user=None, region_code="341125", bank="农商行", year=YEAR)
    with pytest.raises(ValidationError, match="正在银行代扣中"):
        import_(staff, tax_file_bytes([line(person, "T1", "100")]))
