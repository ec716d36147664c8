"""The tax bureau's payment-detail file (税务缴费明细), issue 3 item 5; format in
docs/formats/tax.md.

``tax_file_import`` checks the whole file first — encoding, control totals, truncated lines,
voucher numbers repeated in the file or imported before, ID numbers not registered in the
county, names that differ from the register, no open due for the person and year, amounts
that differ from the open due — and **refuses the whole file when anything is wrong**,
listing every problem with its line number (decision: a payment file is reconciled as one
sum with the tax bureau, so importing only part of it would leave the totals unexplained).
A good file makes each matched due ``paid`` (channel tax, the voucher number as payment
reference) in one transaction. The same file again (SHA-256) returns the first import; the
same vouchers in another file are refused as already imported. Finance confirms a file:
its dues become ``confirmed``.

Every field is read with the file helpers of ``withholding.formats``: a voucher number longer
than its column (40), a name or ID longer than theirs, an amount wider than the money column,
a year outside 1900–2100 (``core.parsing``), a payment date after the import day or before
1900, a control character in any text — each is a problem of its line and field, and the file
is refused whole. A file over ``JUMIN_BANK_FILE_MAX_BYTES``/``JUMIN_BANK_FILE_MAX_LINES`` is
refused before it is read.
"""

import csv
import datetime
import hashlib
import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils import timezone

from jumin.collection.counties import county_code_of, in_scope_or_system, require_or_system
from jumin.collection.formats.withholding import (
    FieldError,
    LineFields,
    Problem,
    amount_field,
    date_field,
    decode,
    money_text,
    physical_lines,
    text_field,
    whole_number,
)
from jumin.collection.models import (
    Channel,
    Due,
    DueKind,
    DueStatus,
    DueStep,
    TaxPaymentFile,
    TaxPaymentLine,
)
from jumin.collection.registry import CollectionAction
from jumin.collection.services.withholding import check_file_size, refuse
from jumin.core import audit
from jumin.core.models import Region
from jumin.core.parsing import InputError, parse_year
from jumin.core.text import export_text
from jumin.people.models import Person

TAG = "JUMIN-TAX"
VERSION = "1"
COLUMNS = ["税票号码", "身份证号", "姓名", "缴费年度", "金额", "缴费日期"]
CHUNK = 5000
ZERO = Decimal("0.00")
PAYABLE_KINDS = (DueKind.PERSONAL, DueKind.BACK_PAYMENT)
STATUS_TEXT = {
    DueStatus.IN_BATCH: "正在银行代扣中",
    DueStatus.PAID: "已缴费",
    DueStatus.CONFIRMED: "已缴费并核对",
    DueStatus.POSTED: "已缴费并记账",
}


def tax_file_bytes(lines, *, encoding: str = "utf-8") -> bytes:
    """A file in the generic format from (voucher, id, name, year, amount, date) tuples
    (tests, the demo, the benchmark)."""
    lines = list(lines)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    total = sum((Decimal(line[4]) for line in lines), ZERO)
    writer.writerow([TAG, VERSION, len(lines), money_text(total)])
    writer.writerow(COLUMNS)
    for voucher, id_number, name, year, amount, paid_on in lines:
        writer.writerow(
            [voucher, id_number, name, year, money_text(Decimal(amount)), f"{paid_on:%Y-%m-%d}"]
        )
    return out.getvalue().encode(encoding)


class _Line:
    __slots__ = (
        "row",
        "voucher",
        "id_number",
        "name",
        "year",
        "amount",
        "paid_on",
        "due_id",
        "village_id",
    )

    def __init__(self, row, voucher, id_number, name, year, amount, paid_on):
        self.row, self.voucher, self.id_number, self.name = row, voucher, id_number, name
        self.year, self.amount, self.paid_on = year, amount, paid_on
        self.due_id = self.village_id = None


def _column(name: str) -> int:
    return TaxPaymentLine._meta.get_field(name).max_length


def year_field(text: str, *, label: str = "缴费年度") -> int:
    """A year from 1900 to 2100 (``core.parsing.parse_year``, the rule for every year)."""
    try:
        return parse_year(text, label=label)
    except InputError as error:
        raise FieldError(error.message) from None


def parse(data: bytes, problems: list[Problem], *, on: datetime.date | None = None) -> tuple:
    """(header count, header sum, lines, detail rows read) of the generic format; problems
    appended, each naming its line and field. ``on`` is the import day: a payment cannot be
    dated after it."""
    try:
        text, _ = decode(data)
    except FieldError as error:
        problems.append(Problem(None, "file", error.message))
        return None, None, [], 0
    try:
        rows = list(csv.reader(physical_lines(text)))
    except csv.Error:
        problems.append(Problem(None, "file", "无法按 CSV 读取（字段过长或引号不配对）"))
        return None, None, [], 0
    if not rows or len(rows[0]) < 4 or rows[0][0].strip() != TAG:
        problems.append(Problem(1, "header", f"首行应为控制行“{TAG},1,笔数,金额合计”"))
        return None, None, [], 0
    header = LineFields(1, problems)
    count = header.read(whole_number, rows[0][2], field="line_count", label="控制行笔数")
    total = header.read(amount_field, rows[0][3], field="amount_sum", label="控制行金额合计")
    if not header.ok:
        return None, None, [], 0
    lines = []
    read = 0
    for row, cells in enumerate(rows[1:], start=2):
        if not cells or not any(cell.strip() for cell in cells):
            continue
        if cells[0].strip() == COLUMNS[0]:
            continue  # the column titles
        read += 1
        if len(cells) < len(COLUMNS):
            problems.append(
                Problem(row, "line", f"字段不全（应有6项，只有{len(cells)}项），行可能被截断")
            )
            continue
        fields = LineFields(row, problems)
        voucher = fields.read(
            text_field,
            cells[0],
            field="voucher",
            label="税票号码",
            max_length=_column("voucher_number"),
        )
        if voucher == "":
            fields.refuse("voucher", "税票号码为空")
        line = _Line(
            row,
            voucher,
            fields.read(
                text_field,
                cells[1].upper(),
                field="id_number",
                label="身份证号",
                max_length=_column("id_number"),
            ),
            fields.read(
                text_field, cells[2], field="name", label="姓名", max_length=_column("name")
            ),
            fields.read(year_field, cells[3], field="year"),
            fields.read(amount_field, cells[4], field="amount"),
            fields.read(date_field, cells[5], field="paid_on", label="缴费日期", on=on),
        )
        if fields.ok:
            lines.append(line)
    return count, total, lines, read


def _match_chunk(chunk: list[_Line], prefix: str, problems: list[Problem]) -> None:
    known = {
        row[0]: row
        for row in Person.objects.filter(
            id_number__in={line.id_number for line in chunk}, village__pk__startswith=prefix
        ).values_list("id_number", "pk", "name", "village_id")
    }
    earlier = set(
        TaxPaymentLine.objects.filter(
            voucher_number__in=[line.voucher for line in chunk]
        ).values_list("voucher_number", flat=True)
    )
    person_ids = [row[1] for row in known.values()]
    dues: dict[tuple[int, int], list] = {}
    for due in (
        Due.objects.filter(person_id__in=person_ids, kind__in=PAYABLE_KINDS)
        .exclude(status=DueStatus.CANCELLED)
        .values_list("person_id", "year", "pk", "status", "amount", "kind")
    ):
        dues.setdefault((due[0], due[1]), []).append(due)
    for line in chunk:
        if line.voucher in earlier:
            problems.append(
                Problem(line.row, "voucher", f"税票号码{line.voucher}已在以前的文件中导入")
            )
            continue
        person = known.get(line.id_number)
        if person is None:
            problems.append(
                Problem(line.row, "id_number", f"身份证号{line.id_number}在本县没有登记")
            )
            continue
        if person[2] != line.name:
            problems.append(
                Problem(line.row, "name", f"姓名“{line.name}”与登记的“{person[2]}”不一致")
            )
            continue
        candidates = dues.get((person[1], line.year), [])
        open_dues = [due for due in candidates if due[3] == DueStatus.OPEN]
        if not open_dues:
            if candidates:
                state = STATUS_TEXT.get(candidates[0][3], "不是未缴状态")
                problems.append(
                    Problem(line.row, "year", f"{line.name}{line.year}年的应缴记录{state}")
                )
            else:
                problems.append(Problem(line.row, "year", f"{line.name}{line.year}年没有应缴记录"))
            continue
        matching = [due for due in open_dues if due[4] == line.amount]
        if not matching:
            expected = "、".join(f"{due[4]}" for due in open_dues)
            problems.append(
                Problem(line.row, "amount", f"金额{line.amount}元与应缴金额{expected}元不一致")
            )
            continue
        line.due_id = matching[0][2]
        line.village_id = person[3]


def tax_file_check(
    region_code: str, data: bytes, *, on: datetime.date | None = None
) -> list[_Line]:
    """The matched lines of a good file; refuses the whole file on any problem.
    ``on`` is the import day (default today)."""
    prefix = county_code_of(region_code)[:6]
    problems: list[Problem] = []
    count, total, lines, read = parse(data, problems, on=on or timezone.localdate())
    if count is None:
        refuse(problems, "税务缴费明细文件无法读取，未导入：")
    seen: dict[str, int] = {}
    seen_due: dict[int, int] = {}
    for line in lines:
        if line.voucher in seen:
            problems.append(
                Problem(
                    line.row, "voucher", f"税票号码{line.voucher}与第{seen[line.voucher]}行重复"
                )
            )
        else:
            seen[line.voucher] = line.row
    for start in range(0, len(lines), CHUNK):
        _match_chunk(lines[start : start + CHUNK], prefix, problems)
    for line in lines:
        if line.due_id is None:
            continue
        if line.due_id in seen_due:
            problems.append(
                Problem(
                    line.row,
                    "id_number",
                    f"{line.name}{line.year}年的缴费与第{seen_due[line.due_id]}行重复",
                )
            )
        else:
            seen_due[line.due_id] = line.row
    if not read and not problems:
        problems.append(Problem(None, "lines", "文件没有任何明细行"))
    problems.sort(key=lambda problem: problem.row or 0)
    found = sum((line.amount for line in lines), ZERO)
    if read != count:
        problems.insert(0, Problem(1, "line_count", f"笔数不符：控制行为{count}笔，明细为{read}笔"))
    if found != total:
        problems.insert(
            0, Problem(1, "amount_sum", f"金额合计不符：控制行为{total}元，明细合计{found}元")
        )
    if problems:
        refuse(problems, "税务缴费明细有以下问题，整个文件未导入（没有任何一笔入账）：")
    return lines


def tax_file_import(
    *,
    acting_user,
    region_code: str,
    file_name: str,
    data: bytes,
    on: datetime.date | None = None,
) -> tuple[TaxPaymentFile, bool]:
    """Import a payment-detail file for the county: (the import, whether it was new).
    ``on`` is the import day (default today): no payment may be dated after it."""
    require_or_system(acting_user, "tax_file.import")
    county = county_code_of(region_code)
    if not in_scope_or_system(acting_user, county):
        raise Http404
    check_file_size(data)
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = TaxPaymentFile.objects.filter(sha256=sha256).first()
    if earlier is not None:
        if not in_scope_or_system(acting_user, earlier.region_id):
            raise ValidationError({"file": "这个文件已由其他县导入过"})
        return earlier, False
    region = Region.objects.filter(code=county).first()
    if region is None:
        raise ValidationError({"county": f"没有区划代码{county[:6]}"})
    lines = tax_file_check(county, data, on=on)
    try:
        with transaction.atomic():
            tax_file = TaxPaymentFile.objects.create(
                region=region,
                file_name=export_text(file_name or "", multiline=False)[:255],
                sha256=sha256,
                line_count=len(lines),
                amount_sum=sum((line.amount for line in lines), ZERO),
                matched_count=len(lines),
                imported_by=acting_user,
            )
            for start in range(0, len(lines), CHUNK):
                TaxPaymentLine.objects.bulk_create(
                    [
                        TaxPaymentLine(
                            file=tax_file,
                            line_number=line.row,
                            voucher_number=line.voucher,
                            id_number=line.id_number,
                            name=line.name,
                            year=line.year,
                            amount=line.amount,
                            paid_on=line.paid_on,
                            due_id=line.due_id,
                            village_id=line.village_id,
                        )
                        for line in lines[start : start + CHUNK]
                    ]
                )
            own = TaxPaymentLine.objects.filter(file=tax_file, due_id=OuterRef("pk"))
            paid = Due.objects.filter(
                pk__in=TaxPaymentLine.objects.filter(file=tax_file).values("due_id")
            ).transition(
                DueStep.TAX_PAID,
                channel=Channel.TAX,
                paid_amount=Subquery(own.values("amount")[:1]),
                paid_on=Subquery(own.values("paid_on")[:1]),
                payment_reference=Subquery(own.values("voucher_number")[:1]),
            )
            if paid != len(lines):
                raise ValidationError({"file": "有应缴记录同时被其他操作修改，请重新导入"})
            audit.record(
                actor=acting_user,
                action=CollectionAction.TAX_FILE_IMPORT,
                obj=tax_file,
                object_label=f"税务缴费明细 {tax_file.file_name}",
                after={"sha256": sha256, "lines": len(lines), "amount_sum": tax_file.amount_sum},
            )
    except IntegrityError:
        earlier = TaxPaymentFile.objects.filter(sha256=sha256).first()
        if earlier is None:
            raise ValidationError(
                {"file": "有税票号码已被同时导入的另一个文件使用，请重试"}
            ) from None
        return earlier, False
    return tax_file, True


def tax_file_confirm(*, acting_user, tax_file: TaxPaymentFile) -> TaxPaymentFile:
    """Finance confirms the money of a tax file: its paid dues become ``confirmed``."""
    require_or_system(acting_user, "tax_file.confirm")
    if not in_scope_or_system(acting_user, tax_file.region_id):
        raise Http404
    with transaction.atomic():
        tax_file = TaxPaymentFile.objects.select_for_update().get(pk=tax_file.pk)
        if tax_file.confirmed_at is not None:
            return tax_file
        now = timezone.now()
        confirmed = Due.objects.filter(
            pk__in=TaxPaymentLine.objects.filter(file=tax_file).values("due_id")
        ).transition(DueStep.CONFIRM, at=now)
        tax_file.confirmed_at = now
        tax_file.confirmed_by = acting_user
        tax_file.save(update_fields=["confirmed_at", "confirmed_by"])
        audit.record(
            actor=acting_user,
            action=CollectionAction.TAX_FILE_CONFIRM,
            obj=tax_file,
            object_label=f"税务缴费明细 {tax_file.file_name}",
            after={"confirmed_dues": confirmed, "amount_sum": tax_file.amount_sum},
        )
    return tax_file
