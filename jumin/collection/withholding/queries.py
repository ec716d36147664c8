"""Reads of dues, withholding batches and tax files, always through ``access.scope``."""

from django.db.models import QuerySet

from jumin.collection.models import (
    BankResultFile,
    Due,
    DueGeneration,
    TaxPaymentFile,
    TaxPaymentLine,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.collection.registry import CollectionAction
from jumin.core.access import get_scoped_or_404, require, scope
from jumin.core.models import JobRun

DUE_FILTERS = ("year", "status", "village", "kind", "channel")


def due_list(user, *, year=None, status="", village="", kind="", channel="") -> QuerySet:
    """Dues in the user's scope, filtered; ``village`` is a region-code prefix (any level) of
    where the person lives now, like the scope."""
    require(user, "due.view")
    dues = scope(Due.objects.select_related("person", "person__village"), user)
    if year:
        dues = dues.filter(year=year)
    if status:
        dues = dues.filter(status=status)
    if village:
        dues = dues.filter(person__village__pk__startswith=village)
    if kind:
        dues = dues.filter(kind=kind)
    if channel:
        dues = dues.filter(channel=channel)
    return dues.order_by("person__village_id", "person_id", "year", "kind", "pk")


def due_get(user, pk) -> Due:
    require(user, "due.view")
    return get_scoped_or_404(
        Due.objects.select_related("person", "person__village", "plan"), user, pk=pk
    )


def generation_list(user, limit: int = 10) -> QuerySet:
    require(user, "due.view")
    return scope(DueGeneration.objects.select_related("region", "created_by", "job"), user)[:limit]


def dues_job_get(user, pk) -> JobRun:
    require(user, "due.view")
    return get_scoped_or_404(
        JobRun.objects.filter(kind=CollectionAction.DUES_GENERATE), user, pk=pk
    )


def batch_list(user) -> QuerySet:
    require(user, "withholding.view")
    return scope(WithholdingBatch.objects.select_related("region", "created_by"), user)


def batch_get(user, pk) -> WithholdingBatch:
    require(user, "withholding.view")
    return get_scoped_or_404(WithholdingBatch.objects.select_related("region"), user, pk=pk)


def batch_lines(batch: WithholdingBatch, *, result: str = "") -> QuerySet:
    lines = WithholdingLine.objects.filter(batch=batch).select_related("person", "village")
    return lines.filter(result=result) if result else lines


def batch_results(batch: WithholdingBatch) -> QuerySet:
    return BankResultFile.objects.filter(batch=batch).select_related("imported_by")


def tax_file_list(user) -> QuerySet:
    require(user, "withholding.view")
    return scope(TaxPaymentFile.objects.select_related("imported_by", "confirmed_by"), user)


def tax_file_get(user, pk) -> TaxPaymentFile:
    require(user, "withholding.view")
    return get_scoped_or_404(TaxPaymentFile.objects.all(), user, pk=pk)


def tax_file_lines(tax_file: TaxPaymentFile) -> QuerySet:
    return TaxPaymentLine.objects.filter(file=tax_file).select_related("due", "village")
