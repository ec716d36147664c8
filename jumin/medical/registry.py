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
}
ENROLMENT_PAGES = {
    "medical:financing": "medical_financing.view",
    "medical:financing_edit": "medical_financing.manage",
    "medical:enrolments": "medical_enrolment.view",
    "medical:enrolment_detail": "medical_enrolment.view",
    "medical:enrolment_register": "medical_enrolment.register",
    "medical:enrolment_renew": "medical_enrolment.renew",
    "medical:fund": "medical_fund.view",
    "medical:fund_post": "medical_fund.post",
    "medical:participation": "medical_participation.view",
    "medical:participation_export": "medical_participation.view",
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


class MedicalAction(AuditAction):
    # enrolment and financing (H4)
    FINANCING_SEED = "medical.financing.seed", _("导入居民医保筹资标准")
    FINANCING_UPDATE = "medical.financing.update", _("修改居民医保筹资标准")
    ENROLMENT_REGISTER = "medical.enrolment.register", _("居民医保参保登记")
    ENROLMENT_RENEW = "medical.enrolment.renew", _("批量续保")
    ENROLMENT_COVER = "medical.enrolment.cover", _("确定待遇享受起始日")
    ENROLMENT_CANCEL = "medical.enrolment.cancel", _("撤销居民医保参保")
    FUND_POST = "medical.fund.post", _("保费记入医保基金")
    FUND_POST_CHUNK = "medical.fund.post_chunk", _("保费记入医保基金（一批）")
    FUND_DEBIT = "medical.fund.debit", _("医保基金支出")
    FUND_REVERSE = "medical.fund.reverse", _("冲正医保基金记录")


REGISTRY = AppRegistry(
    actions=MedicalAction,
    permissions={**ENROLMENT_PERMISSIONS},
    pages={**ENROLMENT_PAGES},
    menu=(*ENROLMENT_MENU,),
    tiles=(*ENROLMENT_TILES,),
    object_types={
        **ENROLMENT_OBJECT_TYPES,
        "medical.hospital": _("定点医疗机构"),
    },
    routers=(*ENROLMENT_ROUTERS,),
    urls=(("", "jumin.medical.web.urls"),),
)


# What collection needs from the medical scheme (see ``jumin.collection.schemes``).
COLLECTION_SCHEME = CollectionScheme(
    code=SCHEME,
    label=_("居民医保"),
    bank_payers=payers.bank_payers,
    roster=payers.roster,
    posting_page="medical:fund",
    posting_label=_("记入医保基金"),
)
