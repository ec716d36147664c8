"""Reads of withholding batches and tax files, always through ``access.scope``."""

from django.db.models import QuerySet

from jumin.collection.models import (
    BankResultFile,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.core.access import get_scoped_or_404, require, scope


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
