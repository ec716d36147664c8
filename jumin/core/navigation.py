"""The menu, by role: each entry names the permission it needs (see access.PERMISSIONS)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from jumin.core.access import can
from jumin.core.models import Role

MENU = [
    ("core:home", _("首页"), "person.view"),
    ("people:search", _("查找参保人"), "person.view"),
    ("people:create", _("新增参保人"), "person.edit"),
    ("people:import", _("导入花名册"), "roster.import"),
    ("people:duplicates", _("疑似重复"), "duplicate.review"),
    ("core:regions", _("行政区划"), "region.view"),
    ("core:staff", _("工作人员"), "staff.manage"),
    ("core:audit", _("操作记录"), "audit.view"),
    ("pension:plans", _("缴费方案"), "plan.view"),
    ("pension:enrolments", _("参保登记"), "enrolment.view"),
    ("collection:dues", _("应缴核定"), "due.view"),
    ("collection:batches", _("银行代扣"), "withholding.view"),
    ("collection:tax_files", _("税务缴费"), "withholding.view"),
    ("collection:books", _("票据管理"), "receipt_book.view"),
    ("collection:deposits", _("缴存登记"), "deposit.view"),
    ("collection:reconciliations", _("对账"), "reconciliation.view"),
    ("collection:postings", _("记账"), "posting.run"),
    ("collection:progress", _("征缴进度"), "progress.view"),
]

# Menu entries a role may open but has no work on: bank withholding and tax files are county
# business (their pages show nothing below the county), so townships and villages do not get
# them in the menu. The pages stay reachable through links.
MENU_HIDDEN = {
    "collection:batches": frozenset({Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT}),
    "collection:tax_files": frozenset({Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT}),
}


# The home page's big buttons: (url name, label, what it is for, permission or None for all).
TASKS = [
    ("people:search", _("查找参保人"), _("按身份证号或姓名查找，查看、修改信息"), "person.view"),
    ("people:create", _("新增参保人"), _("登记一位新的参保人"), "person.edit"),
    ("people:import", _("导入花名册"), _("从 Excel 或 CSV 文件成批导入"), "roster.import"),
    ("people:duplicates", _("疑似重复"), _("姓名、出生日期相同的人，逐一核查"), "duplicate.review"),
    ("core:regions", _("行政区划"), _("本辖区的乡镇、村（社区）和人数"), "region.view"),
    ("core:region_import", _("导入乡镇和村"), _("从 Excel 或 CSV 文件导入区划"), "region.manage"),
    ("core:staff", _("工作人员账号"), _("新建账号、重置密码、解除锁定"), "staff.manage"),
    ("core:audit", _("操作记录"), _("谁在什么时候做了什么"), "audit.view"),
    (
        "pension:enrolments",
        _("参保登记"),
        _("办理参保、审核登记、选择缴费档次"),
        "enrolment.register",
    ),
    ("collection:books", _("开票"), _("用手上的票据本给交现金的人开票"), "receipt.issue"),
    ("collection:deposits", _("缴存登记"), _("现金存入银行后登记缴款单"), "deposit.record"),
    (
        "collection:reconciliations",
        _("对账"),
        _("今天开出的票据，月度对账和确认"),
        "reconciliation.confirm",
    ),
    ("collection:dues", _("应缴核定"), _("生成本年度应缴记录"), "due.generate"),
    ("collection:batches", _("银行代扣"), _("生成代扣文件，导入银行回盘"), "withholding.manage"),
    ("collection:postings", _("记账"), _("把已核对的缴费记入个人账户"), "posting.run"),
    ("collection:progress", _("征缴进度"), _("各乡镇、村的参保缴费进度"), "progress.view"),
    ("core:password_change", _("修改我的密码"), _("定期修改密码，保护参保人信息"), None),
]


def tasks_for(user) -> list[dict]:
    """The big buttons on the home page for this user's role."""
    items = []
    for url_name, label, hint, permission in TASKS:
        if permission is not None and not can(user, permission):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "hint": hint})
    return items


def menu_for(user, current_path: str) -> list[dict]:
    items = []
    for url_name, label, permission in MENU:
        if not can(user, permission) or user.role in MENU_HIDDEN.get(url_name, ()):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # a page whose app is not installed yet
        items.append({"url": url, "label": label, "active": False})
    # Only the longest matching entry is highlighted: /people/new/ is "新增", not "查找".
    matches = [
        item
        for item in items
        if item["url"] == current_path
        or (item["url"] != "/" and current_path.startswith(item["url"]))
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return items
