"""The tax bureau's payment-detail file (税务缴费明细): importing it and confirming it; format in
``docs/formats/tax.md``, read by ``formats/tax_file.py``.

``tax_file_import`` checks the whole file first — encoding, control totals, truncated lines,
voucher numbers repeated in the file or imported before, ID numbers not registered in the
county, names that differ from the register, no open due for the person, year and scheme,
amounts that differ from the open due, a line of a version-1 file (no scheme) whose amount
fits open dues of two schemes — and **refuses the whole file when anything is wrong**,
listing every problem with its line number (decision: a payment file is reconciled as one
sum with the tax bureau, so importing only part of it would leave the totals unexplained).
A good file makes each matched due ``paid`` (channel tax, the voucher number as payment
reference) in one transaction. The same file again (SHA-256) returns the first import; the
same vouchers in another file are refused as already imported. Finance confirms a file:
its dues become ``confirmed``.

A bad field of any line (``formats/tax_file.py``) is a problem of its line and field, and the
file is refused whole. A file over ``JUMIN_BANK_FILE_MAX_BYTES``/``JUMIN_BANK_FILE_MAX_LINES`` is
refused before it is read.
"""

import datetime
import hashlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from jumin.collection.counties import (
    county_code_of,
    in_scope_or_system,
    require_in_scope_or_system,
    require_or_system,
)
from jumin.collection.formats.tax_file import TaxLine, parse
from jumin.collection.formats.withholding import (
    Problem,
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
from jumin.collection.schemes import label_of
from jumin.collection.services.withholding import check_file_size, refuse
from jumin.core import audit
from jumin.core.models import Region
from jumin.core.text import export_text
from jumin.people.models import Person

CHUNK = 5000
ZERO = Decimal("0.00")
PAYABLE_KINDS = (DueKind.PERSONAL, DueKind.BACK_PAYMENT)
STATUS_TEXT = {
    DueStatus.IN_BATCH: "正在银行代扣中",
    DueStatus.PAID: "已缴费",
    DueStatus.CONFIRMED: "已缴费并核对",
    DueStatus.POSTED: "已缴费并记账",
}


def _match_chunk(chunk: list[TaxLine], prefix: str, problems: list[Problem]) -> None:
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
        .values_list("person_id", "year", "pk", "status", "amount", "kind", "scheme")
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
        of_scheme = label_of(line.scheme) if line.scheme else ""
        candidates = dues.get((person[1], line.year), [])
        if line.scheme:
            candidates = [due for due in candidates if due[6] == line.scheme]
        open_dues = [due for due in candidates if due[3] == DueStatus.OPEN]
        if not open_dues:
            if candidates:
                state = STATUS_TEXT.get(candidates[0][3], "不是未缴状态")
                problems.append(
                    Problem(
                        line.row, "year", f"{line.name}{line.year}年的{of_scheme}应缴记录{state}"
                    )
                )
            else:
                problems.append(
                    Problem(line.row, "year", f"{line.name}{line.year}年没有{of_scheme}应缴记录")
                )
            continue
        matching = [due for due in open_dues if due[4] == line.amount]
        if not matching:
            expected = "、".join(f"{due[4]}" for due in open_dues)
            problems.append(
                Problem(line.row, "amount", f"金额{line.amount}元与应缴金额{expected}元不一致")
            )
            continue
        if len({due[6] for due in matching}) > 1:
            names = "、".join(sorted(label_of(due[6]) for due in matching))
            problems.append(
                Problem(
                    line.row,
                    "scheme",
                    f"金额{line.amount}元与{line.name}{line.year}年{names}的应缴金额相同，"
                    "无法确定缴的是哪个险种，请使用第2版格式在“险种”列注明",
                )
            )
            continue
        line.due_id = matching[0][2]
        line.village_id = person[3]


def tax_file_check(
    region_code: str, data: bytes, *, on: datetime.date | None = None
) -> list[TaxLine]:
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
    require_in_scope_or_system(acting_user, county)
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
                            scheme=line.scheme,
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
    require_in_scope_or_system(acting_user, tax_file.region_id)
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
