from jumin.collection.models.calendar import CashCalendar
from jumin.collection.models.deposits import (
    BankStatementFile,
    BankStatementLine,
    Deposit,
    DepositStatus,
    Reconciliation,
    ReconciliationStatus,
)
from jumin.collection.models.dues import (
    BankResultFile,
    BatchStatus,
    Channel,
    Due,
    DueKind,
    LineResult,
    StatusWritten,
    TaxPaymentFile,
    TaxPaymentLine,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.collection.models.receipts import (
    BookStatus,
    Receipt,
    ReceiptBook,
    ReceiptHandover,
    ReceiptStatus,
)
from jumin.collection.rules import DueStatus, DueStep

__all__ = [
    "BankResultFile",
    "BankStatementFile",
    "BankStatementLine",
    "BatchStatus",
    "BookStatus",
    "CashCalendar",
    "Channel",
    "Deposit",
    "DepositStatus",
    "Due",
    "DueKind",
    "DueStatus",
    "DueStep",
    "LineResult",
    "Receipt",
    "ReceiptBook",
    "ReceiptHandover",
    "ReceiptStatus",
    "Reconciliation",
    "ReconciliationStatus",
    "StatusWritten",
    "TaxPaymentFile",
    "TaxPaymentLine",
    "WithholdingBatch",
    "WithholdingLine",
]
