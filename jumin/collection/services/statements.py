"""The agency income account's bank statement (银行对账单): import and matching to deposit slips.

Format: ``docs/formats/bank-statement.md``. One control record (a header line tagged
``JUMIN-STATEMENT`` or a trailer line starting with ``合计``) carries the line count and the
amount sum; a file whose totals disagree, or with any bad line, is refused whole with every
problem named (line number, field, reason). Nothing is half-written.

The file is read by ``formats/bank_statement.py`` (every field checked); a file over ``JUMIN_BANK_FILE_MAX_BYTES``/``_MAX_LINES`` is
refused before it is read, an ``.xlsx`` that would unpack too big before a row is parsed.

Idempotent: the same file (sha256) imported again changes nothing; a line already imported
from another file (same county, date, reference and amount: the natural key) is skipped and
counted as ``already_imported``.

Matching: a statement line is linked to the deposit slip (缴款单) whose slip number equals the
line's reference (凭证号/缴款单号), among the county's deposits that were not returned; when
several slips share the number (different banks) the one of the same bank and amount wins.
Whether the amounts agree is the reconciliation's check (``statement_amount_differs``), so a
slip whose bank line differs by a few yuan is shown as such, not as two unrelated problems.
Lines that arrive before their slip is recorded are linked later by ``statement_match``, which
the reconciliation calls before it counts.
"""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BigIntegerField, Case, Value, When
from django.utils import timezone

from jumin.collection.counties import county_of
from jumin.collection.formats.bank_statement import ParsedLine, parse_statement, refusal
from jumin.collection.models import (
    BankStatementFile,
    BankStatementLine,
    Deposit,
    DepositStatus,
)
from jumin.collection.registry import CollectionAction
from jumin.core import audit
from jumin.core.access import require, require_in_scope
from jumin.core.models import Region
from jumin.core.tabular import XLSX_MAGIC
from jumin.core.text import export_text
from jumin.core.uploads import check_lines, check_size

CHUNK = 2000


def _require_or_system(acting_user, permission: str, region: Region) -> None:
    """Staff need the permission and the region in scope; ``None`` is the system (CLI)."""
    if acting_user is None:
        return
    require(acting_user, permission)
    require_in_scope(acting_user, region.code)


@dataclass
class ImportResult:
    file: BankStatementFile
    created: bool
    new_lines: int = 0
    already_imported: int = 0
    matched: int = 0


def statement_import(
    *,
    acting_user,
    region_code,
    bank: str,
    file_name: str,
    content: bytes,
    on: datetime.date | None = None,
) -> ImportResult:
    """Import one statement file for a county; the same file twice changes nothing.
    ``on`` is the import day (default today): no line may be booked after it."""
    county = county_of(region_code)
    _require_or_system(acting_user, "statement.import", county)
    bank = (bank or "").strip()
    if not bank:
        raise ValidationError({"bank": "请填写银行"})
    if len(bank) > 40:
        raise ValidationError({"bank": "银行名称过长（最多40个字）"})
    check_size(len(content), limit=settings.JUMIN_BANK_FILE_MAX_BYTES)
    if not content.startswith(XLSX_MAGIC):  # an .xlsx's rows are counted as it is read
        check_lines(content, limit=settings.JUMIN_BANK_FILE_MAX_LINES)
    digest = hashlib.sha256(content).hexdigest()
    existing = BankStatementFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return ImportResult(file=existing, created=False)
    parsed = parse_statement(content, on=on or timezone.localdate())
    if parsed.problems:
        raise refusal(parsed)
    total = sum((line.amount for line in parsed.lines), Decimal("0.00"))
    with transaction.atomic():
        statement = BankStatementFile.objects.create(
            region=county,
            bank=bank,
            file_name=export_text(file_name or "", multiline=False)[:255],
            sha256=digest,
            line_count=len(parsed.lines),
            amount_sum=total,
            imported_by=acting_user,
        )
        known = _known_keys(county, parsed.lines)
        rows = [
            BankStatementLine(
                file=statement,
                region=county,
                line_number=line.line_number,
                booked_on=line.booked_on,
                amount=line.amount,
                reference=line.reference,
                counterparty=line.counterparty,
            )
            for line in parsed.lines
            if (line.booked_on, line.reference, line.amount) not in known
        ]
        BankStatementLine.objects.bulk_create(rows, batch_size=CHUNK)
        matched = statement_match(county, bank=bank, file=statement)
        result = ImportResult(
            file=statement,
            created=True,
            new_lines=len(rows),
            already_imported=len(parsed.lines) - len(rows),
            matched=matched,
        )
        audit.record(
            actor=acting_user,
            action=CollectionAction.STATEMENT_IMPORT,
            obj=statement,
            after={
                "bank": bank,
                "file_name": statement.file_name,
                "sha256": digest,
                "line_count": statement.line_count,
                "amount_sum": total,
                "new_lines": result.new_lines,
                "already_imported": result.already_imported,
                "matched": matched,
            },
        )
    return result


def _known_keys(county: Region, lines: list[ParsedLine]) -> set[tuple]:
    if not lines:
        return set()
    dates = {line.booked_on for line in lines}
    known = set()
    existing = BankStatementLine.objects.filter(
        region=county, booked_on__gte=min(dates), booked_on__lte=max(dates)
    ).values_list("booked_on", "reference", "amount")
    for booked_on, reference, amount in existing.iterator(chunk_size=CHUNK):
        known.add((booked_on, reference, amount))
    return known


def statement_match(
    county: Region, *, bank: str = "", file: BankStatementFile | None = None
) -> int:
    """Link unmatched statement lines of the county to deposit slips by slip number.

    Set-based: one read of the unmatched lines, one of the slips already linked, one of the
    candidate slips, and one UPDATE that links every matched line (a CASE over the line ids; a
    slip carries one line; one per 2 000 lines of a huge file). Returns how many lines were linked."""
    lines = BankStatementLine.objects.filter(region=county, deposit__isnull=True)
    if file is not None:
        lines = lines.filter(file=file)
    unmatched = list(lines.values_list("pk", "reference", "amount", "file__bank"))
    if not unmatched:
        return 0
    references = {reference for _, reference, _, _ in unmatched}
    taken = set(
        BankStatementLine.objects.filter(region=county, deposit__isnull=False).values_list(
            "deposit_id", flat=True
        )
    )
    candidates: dict[str, list] = {}
    deposits = (
        Deposit.objects.filter(village__pk__startswith=county.code[:6], slip_number__in=references)
        .exclude(status=DepositStatus.RETURNED)
        .values_list("pk", "slip_number", "amount", "bank")
    )
    for pk, slip, amount, deposit_bank in deposits:
        if pk not in taken:
            candidates.setdefault(slip, []).append((pk, amount, deposit_bank))
    matches: dict[int, int] = {}
    for pk, reference, amount, line_bank in unmatched:
        options = candidates.get(reference)
        if not options:
            continue
        options.sort(key=lambda o: (o[2] != (line_bank or bank), o[1] != amount))
        matches[pk] = options.pop(0)[0]
    linked = 0
    pairs = list(matches.items())
    for start in range(0, len(pairs), CHUNK):  # one UPDATE; a huge file: one per CHUNK lines
        chunk = dict(pairs[start : start + CHUNK])
        linked += BankStatementLine.objects.filter(pk__in=chunk, deposit__isnull=True).update(
            deposit_id=Case(
                *(When(pk=pk, then=Value(deposit_pk)) for pk, deposit_pk in chunk.items()),
                output_field=BigIntegerField(),
            )
        )
    return linked
