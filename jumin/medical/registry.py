"""What the medical app declares about itself (see ``jumin.core.registration``)."""

from django.utils.translation import gettext_lazy as _

from jumin.collection.schemes import CollectionScheme
from jumin.core.access import ALL_ROLES, COUNTY_ROLES, OPERATORS
from jumin.core.models import Role
from jumin.core.registration import ApiRouter, AppRegistry, AuditAction, HomeTile, MenuEntry
from jumin.medical.models.fund import SCHEME
from jumin.medical.queries import payers

# enrolment and financing (H4)
ENROLMENT_PERMISSIONS = {
    "medical_financing.view": ALL_ROLES,
    "medical_financing.manage": frozenset({Role.COUNTY_ADMIN}),
    "medical_enrolment.view": ALL_ROLES,
    "medical_enrolment.register": OPERATORS,
    "medical_enrolment.renew": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
    "medical_fund.view": COUNTY_ROLES,
    "medical_fund.post": frozenset({Role.FINANCE, Role.COUNTY_ADMIN}),
    "medical_participation.view": ALL_ROLES,
    "medical_participation.manage": frozenset({Role.COUNTY_ADMIN}),
}
ENROLMENT_PAGES = {
    "medical:financing": "medical_financing.view",
    "medical:financing_edit": "medical_financing.manage",
    "medical:enrolments": "medical_enrolment.view",
    "medical:enrolment_detail": "medical_enrolment.view",
    "medical:enrolment_register": "medical_enrolment.register",
    "medical:enrolment_back_payment": "medical_enrolment.register",
    "medical:enrolment_renew": "medical_enrolment.renew",
    "medical:fund": "medical_fund.view",
    "medical:fund_post": "medical_fund.post",
    "medical:fund_post_settlements": "medical_fund.post",
    "medical:participation": "medical_participation.view",
    "medical:participation_export": "medical_participation.view",
    "medical:participation_targets": "medical_participation.manage",
}
ENROLMENT_MENU = (
    MenuEntry("medical:enrolments", _("医保参保"), "medical_enrolment.view", order=200),
    MenuEntry("medical:financing", _("医保筹资标准"), "medical_financing.view", order=205),
    MenuEntry("medical:participation", _("医保参保率"), "medical_participation.view", order=210),
    MenuEntry("medical:fund", _("医保基金"), "medical_fund.view", order=215),
)
ENROLMENT_TILES = (
    HomeTile(
        "medical:enrolments",
        _("居民医保参保"),
        _("登记下一年度参保、查看待遇享受起始日"),
        "medical_enrolment.register",
        200,
    ),
    HomeTile(
        "medical:fund", _("医保基金"), _("已核对的保费记入统筹基金"), "medical_fund.post", 210
    ),
)
ENROLMENT_ROUTERS = (
    ApiRouter("/medical/enrolments", "jumin.medical.api:enrolments_router"),
    ApiRouter("/medical/financing", "jumin.medical.api:financing_router"),
    ApiRouter("/medical/fund", "jumin.medical.api:fund_router"),
    ApiRouter("/medical/participation", "jumin.medical.api:participation_router"),
)
ENROLMENT_OBJECT_TYPES = {
    "medical.medicalenrolment": _("居民医保参保"),
    "medical.financing": _("居民医保筹资标准"),
    "medical.assistancerule": _("医疗救助资助参保规则"),
    "medical.participationtarget": _("居民医保参保率目标"),
    "medical.fundposting": _("居民医保基金记账批次"),
    "medical.fundentry": _("居民医保基金记录"),
}


# hospitals, policy and claims (H5)
CLAIM_MANAGERS = frozenset({Role.COUNTY_ADMIN})
CLAIM_CLERKS = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.TOWNSHIP_CLERK})
CLAIM_PERMISSIONS = {
    "hospital.view": ALL_ROLES,
    "hospital.manage": CLAIM_MANAGERS,
    "medical_policy.view": ALL_ROLES,
    "medical_policy.manage": CLAIM_MANAGERS,
    "claim.view": ALL_ROLES,
    "claim.submit": CLAIM_CLERKS,
    "claim.investigate": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
    "claim.resettle": CLAIM_MANAGERS,
}
CLAIM_PAGES = {
    "medical:hospitals": "hospital.view",
    "medical:hospital_create": "hospital.manage",
    "medical:hospital_month": "claim.view",
    "medical:policies": "medical_policy.view",
    "medical:policy_detail": "medical_policy.view",
    "medical:policy_edit": "medical_policy.manage",
    "medical:policy_export": "medical_policy.view",
    "medical:claims": "claim.view",
    "medical:claim_new": "claim.submit",
    "medical:claim_trial": "claim.submit",
    "medical:claim_detail": "claim.view",
    "medical:claim_investigate": "claim.investigate",
    "medical:person_year": "claim.view",
}
CLAIM_MENU = (
    MenuEntry("medical:claims", _("医疗报销"), "claim.view", order=300),
    MenuEntry("medical:hospitals", _("定点医疗机构"), "hospital.view", order=310),
    MenuEntry("medical:policies", _("医保待遇政策"), "medical_policy.view", order=320),
)
CLAIM_TILES = (
    HomeTile(
        "medical:claim_new",
        _("医疗费用报销"),
        _("录入发票，当场算出基本医保、大病保险和医疗救助"),
        "claim.submit",
        300,
    ),
)
CLAIM_ROUTERS = (ApiRouter("/medical/claims", "jumin.medical.api:claims_router"),)
CLAIM_OBJECT_TYPES = {
    "medical.hospital": _("定点医疗机构"),
    "medical.hospitaltoken": _("医院接口令牌"),
    "medical.medicalpolicy": _("居民医保待遇政策"),
    "medical.claim": _("医疗费用补偿"),
    "medical.settlement": _("结算记录"),
}


class MedicalAction(AuditAction):
    # enrolment and financing (H4)
    FINANCING_SEED = "medical.financing.seed", _("导入居民医保筹资标准")
    FINANCING_UPDATE = "medical.financing.update", _("修改居民医保筹资标准")
    ENROLMENT_REGISTER = "medical.enrolment.register", _("居民医保参保登记")
    ENROLMENT_RENEW = "medical.enrolment.renew", _("批量续保")
    ENROLMENT_COVER = "medical.enrolment.cover", _("确定待遇享受起始日")
    ENROLMENT_CANCEL = "medical.enrolment.cancel", _("撤销居民医保参保")
    PARTICIPATION_TARGETS_UPDATE = (
        "medical.participation_target.update",
        _("修改居民医保参保率目标"),
    )
    BACK_PAYMENT_MAKE = "medical.back_payment.make", _("居民医保缴费修复（补缴断保年度）")
    FUND_POST = "medical.fund.post", _("保费记入医保基金")
    FUND_POST_CHUNK = "medical.fund.post_chunk", _("保费记入医保基金（一批）")
    FUND_DEBIT = "medical.fund.debit", _("医保基金支出")
    FUND_REVERSE = "medical.fund.reverse", _("冲正医保基金记录")
    FUND_POST_SETTLEMENTS = "medical.fund.post_settlements", _("结算记入医保基金")
    FUND_POST_SETTLEMENTS_CHUNK = (
        "medical.fund.post_settlements_chunk",
        _("结算记入医保基金（一批）"),
    )
    # hospitals, policy and claims (H5)
    HOSPITAL_CREATE = "medical.hospital.create", _("登记定点医疗机构")
    HOSPITAL_UPDATE = "medical.hospital.update", _("修改定点医疗机构")
    HOSPITAL_TOKEN_CREATE = "medical.hospital_token.create", _("生成医院接口令牌")
    HOSPITAL_TOKEN_REVOKE = "medical.hospital_token.revoke", _("撤销医院接口令牌")
    POLICY_CREATE = "medical.policy.create", _("新建居民医保待遇政策")
    POLICY_UPDATE = "medical.policy.update", _("修改居民医保待遇政策")
    POLICY_EXPORT = "medical.policy.export", _("导出居民医保待遇政策"), True
    CLAIM_SUBMIT = "medical.claim.submit", _("登记医疗费用补偿并结算")
    CLAIM_INVESTIGATE = "medical.claim.investigate", _("意外伤害调查结论")
    CLAIM_RESETTLE = "medical.claim.resettle", _("重新结算参保年度")


REGISTRY = AppRegistry(
    actions=MedicalAction,
    permissions={**ENROLMENT_PERMISSIONS, **CLAIM_PERMISSIONS},
    pages={**ENROLMENT_PAGES, **CLAIM_PAGES},
    menu=(*ENROLMENT_MENU, *CLAIM_MENU),
    tiles=(*ENROLMENT_TILES, *CLAIM_TILES),
    object_types={**ENROLMENT_OBJECT_TYPES, **CLAIM_OBJECT_TYPES},
    routers=(*ENROLMENT_ROUTERS, *CLAIM_ROUTERS),
    urls=(("", "jumin.medical.web.urls"),),
)


def _dues_paid(dues):
    """Collection paid these medical dues: cover the enrolments now fully paid (imported here,
    not at the top: the service imports this registry for its audit actions)."""
    from jumin.medical.services.enrolment import dues_paid

    return dues_paid(dues)


# What collection needs from the medical scheme (see ``jumin.collection.schemes``).
COLLECTION_SCHEME = CollectionScheme(
    code=SCHEME,
    label=_("居民医保"),
    bank_payers=payers.bank_payers,
    roster=payers.roster,
    posting_page="medical:fund",
    posting_label=_("记入医保基金"),
    on_paid=_dues_paid,
)
