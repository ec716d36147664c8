"""Reads of the tax bureau's payment-detail files, always through ``access.scope``."""

from django.db.models import QuerySet

from jumin.collection.models import TaxPaymentFile, TaxPaymentLine
from jumin.core.access import get_scoped_or_404, require, scope


def tax_file_list(user) -> QuerySet:
    require(user, "withholding.view")
    return scope(TaxPaymentFile.objects.select_related("imported_by", "confirmed_by"), user)


def tax_file_get(user, pk) -> TaxPaymentFile:
    require(user, "withholding.view")
    return get_scoped_or_404(TaxPaymentFile.objects.all(), user, pk=pk)


def tax_file_lines(tax_file: TaxPaymentFile) -> QuerySet:
    return TaxPaymentLine.objects.filter(file=tax_file).select_related("due", "village")
