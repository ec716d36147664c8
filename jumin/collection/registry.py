"""What the collection app declares about itself (see ``jumin.core.registration``)."""

from django.utils.translation import gettext_lazy as _

from jumin.core.access import ALL_ROLES
from jumin.core.models import Role
from jumin.core.registration import ApiRouter, AppRegistry, AuditAction, HomeTile, MenuEntry

# Bank withholding and tax files are county business (their pages show nothing below the
# county), so townships and villages do not get them in the menu; the pages stay reachable.
BELOW_COUNTY = frozenset({Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT})


class CollectionAction(AuditAction):
    CASH_CALENDAR_SET = "collection.cash_calendar.set", _("设置缴存与核对日历"), False
    RECEIPT_BOOK_REGISTER = (
        "collection.receipt_book.register",
        _("登记票据本"),
        False,
        ("receipt_book.register",),
    )
    RECEIPT_BOOK_HANDOVER = (
        "collection.receipt_book.handover",
        _("交接票据本"),
        False,
        ("receipt_book.handover",),
    )
    RECEIPT_BOOK_WRITE_OFF = (
        "collection.receipt_book.write_off",
        _("核销票据本"),
        False,
        ("receipt_book.write_off",),
    )
    RECEIPT_ISSUE = "collection.receipt.issue", _("开票"), False, ("receipt.issue",)
    RECEIPT_VOID = "collection.receipt.void", _("作废票据"), False, ("receipt.void",)
    RECEIPT_REPORT_LOST = (
        "collection.receipt.report_lost",
        _("报告票据遗失"),
        False,
        ("receipt.report_lost",),
    )
    BATCH_CREATE = (
        "collection.withholding_batch.create",
        _("生成代扣批次"),
        False,
        ("collection.batch_create",),
    )
    BATCH_EXPORT = (
        "collection.withholding_batch.export",
        _("导出代扣文件"),
        False,
        ("collection.batch_export",),
    )
    BATCH_RESULT_IMPORT = (
        "collection.withholding_batch.result_import",
        _("导入银行回盘"),
        False,
        ("collection.result_import",),
    )
    BATCH_CONFIRM = (
        "collection.withholding_batch.confirm",
        _("核对代扣批次"),
        False,
        ("collection.batch_confirm",),
    )
    TAX_FILE_IMPORT = (
        "collection.tax_file.import",
        _("导入税务缴费明细"),
        False,
        ("collection.tax_file_import",),
    )
    TAX_FILE_CONFIRM = (
        "collection.tax_file.confirm",
        _("核对税务缴费明细"),
        False,
        ("collection.tax_file_confirm",),
    )
    DEPOSIT_RECORD = "collection.deposit.record", _("登记缴款单"), False, ("deposit.record",)
    DEPOSIT_CHECK_TOWNSHIP = (
        "collection.deposit.check_township",
        _("乡镇核对缴款单"),
        False,
        ("deposit.check_township",),
    )
    DEPOSIT_CHECK_COUNTY = (
        "collection.deposit.check_county",
        _("县财务核对缴款单"),
        False,
        ("deposit.check_county",),
    )
    DEPOSIT_RETURN = "collection.deposit.return", _("退回缴款单"), False, ("deposit.return",)
    OVERDUE_EXPORT = "collection.overdue.export", _("导出逾期未缴存清单"), True, ("overdue.export",)
    STATEMENT_IMPORT = (
        "collection.bank_statement.import",
        _("导入银行对账单"),
        False,
        ("statement.import",),
    )
    RECONCILIATION_COMPUTE = (
        "collection.reconciliation.compute",
        _("计算对账"),
        False,
        ("reconciliation.compute",),
    )
    RECONCILIATION_CONFIRM = (
        "collection.reconciliation.confirm",
        _("确认对账"),
        False,
        ("reconciliation.confirm",),
    )
    RECONCILIATION_REOPEN = (
        "collection.reconciliation.reopen",
        _("重新打开已确认的对账"),
        False,
        ("reconciliation.reopen",),
    )
    GOVERNMENT_PAID_CONFIRM = (
        "collection.government_paid.confirm",
        _("确认政府代缴资金到账"),
        False,
        ("government_paid.confirm",),
    )


REGISTRY = AppRegistry(
    actions=CollectionAction,
    # every page behind @page; a page that also writes on POST (the record form of the
    # deposit list, the file uploads) checks that permission before it reads the form
    pages={
        "collection:books": "receipt_book.view",
        "collection:book_detail": "receipt_book.view",
        "collection:book_register": "receipt_book.register",
        "collection:book_handover": "receipt_book.handover",
        "collection:book_write_off": "receipt_book.write_off",
        "collection:receipt_issue": "receipt.issue",
        "collection:receipt_void": "receipt.issue",
        "collection:receipt_lost": "receipt.issue",
        "collection:cash_calendar": "cash_calendar.view",
        "collection:batches": "withholding.view",
        "collection:batch_detail": "withholding.view",
        "collection:batch_create": "withholding.manage",
        "collection:batch_export": "withholding.manage",
        "collection:batch_result": "withholding.manage",
        "collection:batch_confirm": "withholding.confirm",
        "collection:tax_files": "withholding.view",
        "collection:tax_file_detail": "withholding.view",
        "collection:tax_file_confirm": "tax_file.confirm",
        "collection:deposits": "deposit.view",
        "collection:deposit_detail": "deposit.view",
        "collection:deposit_check": ("deposit.check_township", "deposit.check_county"),
        "collection:deposit_return": ("deposit.check_township", "deposit.check_county"),
        "collection:overdue": "deposit.view",
        "collection:overdue_export": "deposit.view",
        "collection:reconciliations": "reconciliation.view",
        "collection:reconciliation_detail": "reconciliation.view",
        "collection:reconciliation_compute": "reconciliation.compute",
        "collection:reconciliation_confirm": "reconciliation.confirm",
        "collection:government_paid": "reconciliation.view",
        "collection:statements": "reconciliation.view",
        "collection:statement_detail": "reconciliation.view",
    },
    permissions={
        "receipt_book.view": ALL_ROLES,
        "receipt_book.register": frozenset({Role.FINANCE, Role.COUNTY_ADMIN}),
        "receipt_book.handover": frozenset(
            {Role.FINANCE, Role.COUNTY_ADMIN, Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT}
        ),
        "receipt.issue": frozenset({Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT}),
        "receipt_book.write_off": frozenset({Role.FINANCE}),
        "due.view": ALL_ROLES,
        "withholding.view": ALL_ROLES,
        "withholding.manage": frozenset({Role.COUNTY_CLERK, Role.FINANCE, Role.COUNTY_ADMIN}),
        "withholding.confirm": frozenset({Role.FINANCE}),
        "tax_file.import": frozenset({Role.COUNTY_CLERK, Role.FINANCE, Role.COUNTY_ADMIN}),
        "tax_file.confirm": frozenset({Role.FINANCE}),
        "deposit.view": ALL_ROLES,
        "deposit.record": frozenset({Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT}),
        "deposit.check_township": frozenset({Role.TOWNSHIP_CLERK}),
        "deposit.check_county": frozenset({Role.FINANCE}),
        "statement.import": frozenset({Role.FINANCE}),
        "reconciliation.view": ALL_ROLES,
        # computing a month writes its rows and can reopen a confirmed month: not for readers
        "reconciliation.compute": frozenset({Role.FINANCE, Role.TOWNSHIP_CLERK}),
        "reconciliation.confirm": frozenset({Role.FINANCE, Role.TOWNSHIP_CLERK}),
        "government_paid.confirm": frozenset({Role.FINANCE}),
        "cash_calendar.view": ALL_ROLES,
        "cash_calendar.set": frozenset({Role.COUNTY_ADMIN}),
    },
    menu=(
        MenuEntry(
            "collection:batches", _("银行代扣"), "withholding.view", 120, hidden_for=BELOW_COUNTY
        ),
        MenuEntry(
            "collection:tax_files", _("税务缴费"), "withholding.view", 130, hidden_for=BELOW_COUNTY
        ),
        MenuEntry("collection:books", _("票据管理"), "receipt_book.view", order=140),
        MenuEntry("collection:deposits", _("缴存登记"), "deposit.view", order=150),
        MenuEntry("collection:reconciliations", _("对账"), "reconciliation.view", order=160),
        MenuEntry(
            "collection:cash_calendar",
            _("缴存日历"),
            "cash_calendar.set",
            order=165,
        ),
    ),
    tiles=(
        HomeTile(
            "collection:books", _("开票"), _("用手上的票据本给交现金的人开票"), "receipt.issue", 100
        ),
        HomeTile(
            "collection:deposits",
            _("缴存登记"),
            _("现金存入银行后登记缴款单"),
            "deposit.record",
            110,
        ),
        HomeTile(
            "collection:reconciliations",
            _("对账"),
            _("今天开出的票据，月度对账和确认"),
            "reconciliation.confirm",
            120,
        ),
        HomeTile(
            "collection:batches",
            _("银行代扣"),
            _("生成代扣文件，导入银行回盘"),
            "withholding.manage",
            140,
        ),
    ),
    object_types={
        "collection.cashcalendar": _("缴存与核对日历"),
        "collection.due": _("应缴记录"),
        "collection.receiptbook": _("票据本"),
        "collection.receipthandover": _("票据交接"),
        "collection.receipt": _("票据"),
        "collection.deposit": _("缴存记录"),
        "collection.bankstatementfile": _("银行对账单"),
        "collection.bankstatementline": _("银行对账单明细"),
        "collection.reconciliation": _("对账"),
        "collection.withholdingbatch": _("代扣批次"),
        "collection.withholdingline": _("代扣明细"),
        "collection.bankresultfile": _("银行回盘文件"),
        "collection.taxpaymentfile": _("税务缴费明细文件"),
        "collection.taxpaymentline": _("税务缴费明细"),
    },
    routers=(
        ApiRouter("/collection", "jumin.collection.api:receipts_router"),
        ApiRouter("/withholding", "jumin.collection.api:batches_router"),
        ApiRouter("/tax-files", "jumin.collection.api:tax_router"),
        ApiRouter("/deposits", "jumin.collection.api:deposits_router"),
        ApiRouter("/reconciliations", "jumin.collection.api:reconciliations_router"),
        ApiRouter("/bank-statements", "jumin.collection.api:statements_router"),
    ),
    urls=(("collection/", "jumin.collection.web.urls"),),
)
