"""What the medical app declares about itself (see ``jumin.core.registration``)."""

from django.utils.translation import gettext_lazy as _

from jumin.core.access import ALL_ROLES
from jumin.core.models import Role
from jumin.core.registration import ApiRouter, AppRegistry, AuditAction, HomeTile, MenuEntry


class MedicalAction(AuditAction):
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


MANAGERS = frozenset({Role.COUNTY_ADMIN})
CLAIM_CLERKS = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.TOWNSHIP_CLERK})

REGISTRY = AppRegistry(
    actions=MedicalAction,
    permissions={
        # hospitals, policy and claims (H5)
        "hospital.view": ALL_ROLES,
        "hospital.manage": MANAGERS,
        "medical_policy.view": ALL_ROLES,
        "medical_policy.manage": MANAGERS,
        "claim.view": ALL_ROLES,
        "claim.submit": CLAIM_CLERKS,
        "claim.investigate": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK}),
        "claim.resettle": MANAGERS,
    },
    pages={
        # hospitals, policy and claims (H5)
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
    },
    menu=(
        # hospitals, policy and claims (H5)
        MenuEntry("medical:claims", _("医疗报销"), "claim.view", order=300),
        MenuEntry("medical:hospitals", _("定点医疗机构"), "hospital.view", order=310),
        MenuEntry("medical:policies", _("医保待遇政策"), "medical_policy.view", order=320),
    ),
    tiles=(
        # hospitals, policy and claims (H5)
        HomeTile(
            "medical:claim_new",
            _("医疗费用报销"),
            _("录入发票，当场算出基本医保、大病保险和医疗救助"),
            "claim.submit",
            300,
        ),
    ),
    object_types={
        "medical.medicalenrolment": _("居民医保参保"),
        "medical.hospital": _("定点医疗机构"),
        # hospitals, policy and claims (H5)
        "medical.hospitaltoken": _("医院接口令牌"),
        "medical.medicalpolicy": _("居民医保待遇政策"),
        "medical.claim": _("医疗费用补偿"),
        "medical.settlement": _("结算记录"),
    },
    routers=(
        # hospitals, policy and claims (H5)
        ApiRouter("/medical/claims", "jumin.medical.api:claims_router"),
    ),
    urls=(("medical/", "jumin.medical.web.urls"),),
)
