"""The bank statement files a user may see and their lines (reads)."""

from jumin.collection.models import BankStatementFile, BankStatementLine
from jumin.core.access import get_scoped_or_404, require, scope


def statement_files(user):
    """Statement files in the user's scope: the county's staff see them, townships do not."""
    require(user, "reconciliation.view")
    return scope(BankStatementFile.objects.select_related("imported_by"), user)


def statement_get(user, pk) -> BankStatementFile:
    require(user, "reconciliation.view")
    return get_scoped_or_404(BankStatementFile.objects.all(), user, pk=pk)


def statement_lines(statement: BankStatementFile):
    """The lines of a statement file (already read through ``statement_get``), in file order,
    with the slips they were matched to."""
    return (
        BankStatementLine.objects.filter(file=statement)
        .select_related("deposit", "deposit__village")
        .order_by("line_number")
    )
