"""What the pension app declares about itself (see ``jumin.core.registration``)."""

from django.utils.translation import gettext_lazy as _

from jumin.collection.schemes import CollectionScheme
from jumin.core.access import ALL_ROLES, COUNTY_ROLES, OPERATORS
from jumin.core.models import Role
from jumin.core.registration import ApiRouter, AppRegistry, AuditAction, HomeTile, MenuEntry
from jumin.pension.models.dues import SCHEME
from jumin.pension.queries import payers


class PensionAction(AuditAction):
    PLAN_CREATE = "pension.plan.create", _("新建缴费方案"), False, ("pension.plan_create",)
    PLAN_UPDATE = "pension.plan.update", _("修改缴费方案"), False, ("pension.plan_update",)
    PLAN_COPY = "pension.plan.copy", _("复制缴费方案"), False, ("pension.plan_copy",)
    ENROLMENT_REGISTER = (
        "pension.enrolment.register",
        _("参保登记"),
        False,
        ("pension.enrolment_register",),
    )
    ENROLMENT_APPROVE_TOWNSHIP = (
        "pension.enrolment.approve_township",
        _("乡镇审核通过"),
        False,
        ("pension.enrolment_township_approve",),
    )
    ENROLMENT_APPROVE_TOWNSHIP_MANY = (
        "pension.enrolment.approve_township_many",
        _("乡镇批量审核通过"),
        False,
        ("pension.enrolment_township_approve_many",),
    )
    ENROLMENT_APPROVE_COUNTY = (
        "pension.enrolment.approve_county",
        _("县级审核通过"),
        False,
        ("pension.enrolment_county_approve",),
    )
    ENROLMENT_REJECT = (
        "pension.enrolment.reject",
        _("退回参保登记"),
        False,
        ("pension.enrolment_reject",),
    )
    ENROLMENT_CHANGE = (
        "pension.enrolment.change",
        _("变更参保登记"),
        False,
        ("pension.enrolment_change",),
    )
    ENROLMENT_PAUSE = "pension.enrolment.pause", _("暂停缴费"), False, ("pension.enrolment_pause",)
    ENROLMENT_RESUME = (
        "pension.enrolment.resume",
        _("恢复缴费"),
        False,
        ("pension.enrolment_resume",),
    )
    ENROLMENT_CLOSE = "pension.enrolment.close", _("注销参保"), False, ("pension.enrolment_close",)
    ENROLMENT_START_RECEIVING = (
        "pension.enrolment.start_receiving",
        _("开始领取待遇"),
        False,
        ("pension.enrolment_start_receiving",),
    )
    GRADE_CHOOSE = "pension.grade.choose", _("选择缴费档次"), False, ("pension.grade_choose",)
    EMPLOYEE_LIST_IMPORT = (
        "pension.employee_list.import",
        _("导入职保参保名单"),
        False,
        ("pension.employee_list_import",),
    )
    ACCOUNT_VIEW = "pension.account.view", _("查看个人账户"), True, ("account.view",)
    ACCOUNT_ENTRY_REVERSE = (
        "pension.account_entry.reverse",
        _("冲正个人账户记录"),
        False,
        ("account.reverse",),
    )
    DUE_REVERSE = "pension.due.reverse", _("冲正一笔应缴的记账"), False, ("due.reverse",)
    DUES_GENERATE = (
        "pension.dues.generate",
        _("生成应缴"),
        False,
        ("collection.dues.generate", "collection.dues_generate"),
    )
    DUES_CHUNK = (
        "pension.dues.chunk",
        _("生成应缴（一批）"),
        False,
        ("collection.dues.chunk", "collection.dues_chunk"),
    )
    BACK_PAYMENT_CREATE = (
        "pension.due.back_payment_create",
        _("登记补缴"),
        False,
        ("collection.due.back_payment_create", "collection.back_payment_create"),
    )
    POSTING_RUN = (
        "pension.posting.run",
        _("记账"),
        False,
        ("collection.posting.run", "posting.run"),
    )
    POSTING_CHUNK = (
        "pension.posting.chunk",
        _("记账（一批）"),
        False,
        ("collection.posting.chunk", "posting.chunk"),
    )
    INTEREST_RATE_SAVE = "pension.interest_rate.save", _("录入记账利率")
    INTEREST_RUN = "pension.interest.run", _("年终结息")
    INTEREST_CHUNK = "pension.interest.chunk", _("年终结息（一批）")
    INTEREST_CORRECT = "pension.interest.correct", _("更正利率重新计息")
    INTEREST_TO_START = "pension.interest.to_start", _("待遇起始前计息")
    LEDGER_CHECK = "pension.ledger.check", _("核对个人账户")
    STATEMENT_PRINT = "pension.statement.print", _("打印个人权益记录"), True
    TRANSFER_REQUEST = "pension.transfer.request", _("登记转移接续")
    TRANSFER_ACCEPT = "pension.transfer.accept", _("出具转移接续联系函")
    TRANSFER_SEND = "pension.transfer.send", _("转出个人账户")
    TRANSFER_BOOK = "pension.transfer.book", _("转入记账")
    TRANSFER_CANCEL = "pension.transfer.cancel", _("撤销转移接续")
    HOLIDAY_SAVE = "pension.holiday.save", _("录入节假日")
    HOLIDAY_DELETE = "pension.holiday.delete", _("删除节假日")
    LINK_CREATE = "pension.link.create", _("登记制度衔接")
    LINK_DECIDE = "pension.link.decide", _("办结制度衔接")
    BENEFIT_STANDARD_CREATE = "pension.benefit_standard.create", _("新增待遇标准")
    BENEFIT_STANDARD_SEED = "pension.benefit_standard.seed", _("导入待遇标准")
    AWARD_APPLY = "pension.award.apply", _("受理待遇申请")
    AWARD_APPROVE = "pension.award.approve", _("核定养老金待遇")
    AWARD_REJECT = "pension.award.reject", _("不予核定养老金待遇")
    AWARD_EXPORT = "pension.award.export", _("导出到龄人员名单"), True

    PAYROLL_BUILD = "pension.payroll.build", _("生成待遇发放表"), False, ()
    PAYROLL_CHUNK = "pension.payroll.chunk", _("生成待遇发放表（一批）"), False, ()
    PAYROLL_APPROVE = "pension.payroll.approve", _("审核待遇发放表"), False, ()
    PAYROLL_EXPORT = "pension.payroll.export", _("导出银行发放文件"), False, ()
    PAYROLL_RESULT = "pension.payroll.result", _("导入银行发放结果"), False, ()
    PAYROLL_CLOSE = "pension.payroll.close", _("结束待遇发放"), False, ()
    PAYROLL_FINANCE_EXPORT = "pension.payroll.finance_export", _("导出财务申请表"), True, ()
    AWARD_SUSPEND = "pension.award.suspend", _("暂停发放待遇"), False, ()
    AWARD_SUSPEND_LAPSED = (
        "pension.award.suspend_lapsed",
        _("未认证暂停发放（批量）"),
        False,
        (),
    )
    AWARD_RESUME = "pension.award.resume", _("恢复发放待遇"), False, ()
    CERTIFICATION_RECORD = "pension.certification.record", _("登记资格认证"), False, ()
    DEATH_REPORT = "pension.death.report", _("上报死亡"), False, ()
    DEATH_IMPORT = "pension.death.import", _("导入死亡名单"), False, ()
    DEATH_CONFIRM = "pension.death.confirm", _("核实死亡并终止待遇"), False, ()
    DEATH_REJECT = "pension.death.reject", _("死亡报告不属实"), False, ()
    RECOVERY_INHERIT = "pension.recovery.inherit", _("支付继承额并抵扣多发待遇"), False, ()
    RECOVERY_COLLECT = "pension.recovery.collect", _("登记家属退回多发待遇"), False, ()


REGISTRY = AppRegistry(
    actions=PensionAction,
    permissions={
        "plan.view": ALL_ROLES,
        "plan.manage": frozenset({Role.COUNTY_ADMIN}),
        "enrolment.view": ALL_ROLES,
        "enrolment.register": OPERATORS,
        "enrolment.approve_township": frozenset({Role.TOWNSHIP_CLERK}),
        "enrolment.approve_county": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
        "enrolment.change": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.TOWNSHIP_CLERK}),
        "enrolment.close": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
        "grade.choose": OPERATORS,
        "employee_list.import": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
        "account.view": ALL_ROLES,
        "account.reverse": frozenset({Role.FINANCE}),
        "due.generate": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
        "posting.run": frozenset({Role.FINANCE, Role.COUNTY_ADMIN}),
        "interest.run": frozenset({Role.FINANCE, Role.COUNTY_ADMIN}),
        "interest_rate.manage": frozenset({Role.COUNTY_ADMIN}),
        "ledger.check": frozenset({Role.COUNTY_ADMIN}),
        "transfer.manage": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
        "holiday.manage": frozenset({Role.COUNTY_ADMIN}),
        "link.manage": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
        "benefit_standard.view": ALL_ROLES,
        "benefit_standard.manage": frozenset({Role.COUNTY_ADMIN}),
        "estimate.run": OPERATORS,
        "award.view": ALL_ROLES,
        "award.apply": OPERATORS,
        "award.decide": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
        "payroll.view": COUNTY_ROLES,
        "payroll.build": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
        "payroll.approve": frozenset({Role.COUNTY_ADMIN, Role.FINANCE}),
        "payroll.pay": frozenset({Role.COUNTY_ADMIN, Role.FINANCE}),
        "certification.view": ALL_ROLES,
        "certification.record": OPERATORS,
        "award.suspend": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
        "death.view": ALL_ROLES,
        "death.report": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.TOWNSHIP_CLERK}),
        "death.confirm": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
        "recovery.view": ALL_ROLES,
        "recovery.manage": frozenset({Role.COUNTY_ADMIN, Role.FINANCE}),
    },
    pages={
        "pension:plans": "plan.view",
        "pension:plan_detail": "plan.view",
        "pension:plan_create": "plan.manage",
        "pension:plan_copy": "plan.manage",
        "pension:plan_edit": "plan.manage",
        "pension:enrolments": "enrolment.view",
        "pension:enrolment_detail": "enrolment.view",
        "pension:enrolment_register": "enrolment.register",
        # approving and refusing: the service asks for the permission of the enrolment's step
        "pension:enrolment_approve": "enrolment.view",
        "pension:enrolment_reject": "enrolment.view",
        "pension:enrolment_approve_many": "enrolment.approve_township",
        "pension:enrolment_change": "enrolment.change",
        "pension:enrolment_pause": "enrolment.change",
        "pension:enrolment_resume": "enrolment.change",
        "pension:enrolment_close": "enrolment.close",
        "pension:grade_choose": "grade.choose",
        "pension:employee_list": "enrolment.view",  # importing needs employee_list.import
        "pension:account": "account.view",
        "pension:account_entry_reverse": "account.reverse",
        "pension:account_due_reverse": "account.reverse",
        "pension:statement": "account.view",
        "pension:statement_pdf": "account.view",
        "pension:village_statements": "account.view",
        "pension:village_statements_pdf": "account.view",
        "pension:interest": "account.view",
        "pension:interest_rate_save": "interest_rate.manage",
        "pension:interest_run": "interest.run",
        "pension:interest_job": "account.view",
        "pension:ledger_check": "ledger.check",
        "pension:village_statements_choose": "account.view",
        "pension:transfers": "account.view",
        "pension:transfer_request": "transfer.manage",
        "pension:transfer_detail": "account.view",
        "pension:transfer_advance": "transfer.manage",
        "pension:transfer_cancel": "transfer.manage",
        "pension:holidays": "holiday.manage",
        "pension:holiday_delete": "holiday.manage",
        "pension:links": "account.view",
        "pension:link_create": "link.manage",
        "pension:link_detail": "account.view",
        "pension:link_decide": "link.manage",
        "contributions:dues": "due.view",
        "contributions:dues_generate": "due.generate",
        "contributions:dues_job": "due.view",
        "contributions:postings": "account.view",  # starting a run needs posting.run
        "contributions:posting_job": "account.view",
        "pension:benefit_standards": "benefit_standard.view",
        "pension:benefit_standard_create": "benefit_standard.manage",
        "pension:estimate": "estimate.run",
        "pension:estimate_person": "estimate.run",
        "pension:turning_60": "award.view",
        "pension:awards": "award.view",
        "pension:award_detail": "award.view",
        "pension:award_sheet": "award.view",
        "pension:award_sheets": "award.view",
        "pension:award_apply": "award.apply",
        "pension:award_decide": "award.decide",
        "pension:payrolls": "payroll.view",  # building needs payroll.build
        "pension:payroll_detail": "payroll.view",
        "pension:payroll_approve": "payroll.approve",
        "pension:payroll_export": "payroll.pay",
        "pension:payroll_result": "payroll.pay",
        "pension:payroll_finance": "payroll.pay",
        "pension:payroll_close": "payroll.pay",
        "pension:certifications": "certification.view",  # recording needs certification.record
        "pension:certifications_due": "certification.view",
        "pension:deaths": "death.view",  # reporting needs death.report
        "pension:death_import": "death.confirm",
        "pension:death_confirm": "death.confirm",
        "pension:death_reject": "death.confirm",
        "pension:recoveries": "recovery.view",
        "pension:recovery_detail": "recovery.view",
        "pension:recovery_inherit": "recovery.manage",
        "pension:recovery_collect": "recovery.manage",
    },
    menu=(
        MenuEntry("pension:plans", _("缴费方案"), "plan.view", order=90),
        MenuEntry("pension:enrolments", _("参保登记"), "enrolment.view", order=100),
        MenuEntry("contributions:dues", _("应缴核定"), "due.view", order=110),
        MenuEntry("contributions:postings", _("记账"), "posting.run", order=170),
        MenuEntry("pension:interest", _("结息"), "interest.run", order=175),
        MenuEntry("pension:transfers", _("转移接续"), "transfer.manage", order=180),
        MenuEntry("pension:holidays", _("节假日"), "holiday.manage", order=196),
        MenuEntry("pension:turning_60", _("到龄待遇核定"), "award.view", order=180),
        MenuEntry("pension:awards", _("养老金待遇"), "award.view", order=185),
        MenuEntry("pension:estimate", _("养老金测算"), "estimate.run", order=190),
        MenuEntry("pension:benefit_standards", _("待遇标准"), "benefit_standard.view", order=195),
        MenuEntry("pension:payrolls", _("待遇发放"), "payroll.view", order=180),
        MenuEntry("pension:certifications_due", _("资格认证"), "certification.view", order=185),
        MenuEntry("pension:deaths", _("死亡上报"), "death.view", order=190),
        MenuEntry("pension:recoveries", _("多发追回"), "recovery.view", order=195),
    ),
    tiles=(
        HomeTile(
            "pension:enrolments",
            _("参保登记"),
            _("办理参保、审核登记、选择缴费档次"),
            "enrolment.register",
            90,
        ),
        HomeTile(
            "pension:payrolls",
            _("待遇发放"),
            _("每月生成、审核、送银行发放养老金"),
            "payroll.build",
            160,
        ),
        HomeTile("contributions:dues", _("应缴核定"), _("生成本年度应缴记录"), "due.generate", 130),
        HomeTile(
            "contributions:postings", _("记账"), _("把已核对的缴费记入个人账户"), "posting.run", 150
        ),
        HomeTile(
            "pension:interest",
            _("结息"),
            _("记账利率、年终结息、个人权益记录"),
            "interest.run",
            155,
        ),
    ),
    object_types={
        "pension.payroll": _("待遇发放表"),
        "pension.payrollline": _("发放明细"),
        "pension.suspension": _("暂停发放"),
        "pension.certification": _("资格认证"),
        "pension.deathreport": _("死亡报告"),
        "pension.recovery": _("多发待遇追回"),
        "pension.recoveryitem": _("追回记录"),
        "pension.contributionplan": _("缴费方案"),
        "pension.enrolment": _("参保登记"),
        "pension.enrolmentevent": _("参保变动记录"),
        "pension.gradechoice": _("缴费档次选择"),
        "pension.employeeschememember": _("职工养老保险参保名单"),
        "pension.contributiondue": _("城乡居保应缴"),
        "pension.duegeneration": _("应缴生成批次"),
        "pension.posting": _("记账批次"),
        "pension.accountentry": _("个人账户记账"),
        "pension.interestrate": _("记账利率"),
        "pension.benefitstandard": _("待遇标准"),
        "pension.award": _("养老金待遇"),
        "pension.interestrun": _("计息批次"),
        "pension.transfer": _("转移接续"),
        "pension.holiday": _("节假日"),
        "pension.schemelink": _("制度衔接"),
    },
    routers=(
        ApiRouter("/enrolments", "jumin.pension.api:enrolments_router"),
        ApiRouter("/accounts", "jumin.pension.api:accounts_router"),
        ApiRouter("/dues", "jumin.pension.api:dues_router"),
        ApiRouter("/postings", "jumin.pension.api:postings_router"),
        ApiRouter("/interest", "jumin.pension.api:interest_router"),
        ApiRouter("/transfers", "jumin.pension.api:transfers_router"),
        ApiRouter("/scheme-links", "jumin.pension.api:links_router"),
        ApiRouter("/awards", "jumin.pension.api:awards_router"),
        ApiRouter("/estimates", "jumin.pension.api:estimates_router"),
        ApiRouter("/payrolls", "jumin.pension.api:payrolls_router"),
        ApiRouter("/certifications", "jumin.pension.api:certifications_router"),
        ApiRouter("/deaths", "jumin.pension.api:deaths_router"),
        ApiRouter("/recoveries", "jumin.pension.api:recoveries_router"),
    ),
    # pension/… and, with the paths they had under the collection app, the dues and posting
    # pages under collection/… (two namespaces: pension, contributions)
    urls=(("", "jumin.pension.web.urls"),),
)


# What collection needs from the pension (see ``jumin.collection.schemes``).
COLLECTION_SCHEME = CollectionScheme(
    code=SCHEME,
    label=_("城乡居保"),
    bank_payers=payers.bank_payers,
    roster=payers.roster,
    posting_page="contributions:postings",
    posting_label=_("记账"),
)
