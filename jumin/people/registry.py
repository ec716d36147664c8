"""What the people app declares about itself (see ``jumin.core.registration``)."""

from django.utils.translation import gettext_lazy as _

from jumin.core.access import ALL_ROLES, OPERATORS
from jumin.core.models import Role
from jumin.core.registration import (
    ApiRouter,
    AppRegistry,
    AuditAction,
    AuditSubject,
    HomeTile,
    MenuEntry,
    RegionCount,
)


class PeopleAction(AuditAction):
    PERSON_VIEW = "people.person.view", _("查看参保人"), True, ("person.view",)
    PERSON_CREATE = "people.person.create", _("登记参保人"), False, ("person.create",)
    PERSON_UPDATE = "people.person.update", _("修改参保人"), False, ("person.update",)
    PERSON_EXPORT = "people.person.export", _("导出参保人"), True, ("person.export",)
    PERSON_IMPORT_CREATE = (
        "people.person.import_create",
        _("导入时新增参保人"),
        False,
        ("person.import_create",),
    )
    PERSON_IMPORT_UPDATE = (
        "people.person.import_update",
        _("导入时修改参保人"),
        False,
        ("person.import_update",),
    )
    STATUS_CREATE = (
        "people.special_status.create",
        _("添加特殊群体身份"),
        False,
        ("special_status.create",),
    )
    STATUS_END = "people.special_status.end", _("结束特殊群体身份"), False, ("special_status.end",)
    DUPLICATE_REVIEW_CREATE = (
        "people.duplicate_review.create",
        _("核查疑似重复"),
        False,
        ("duplicate_review.create", "duplicate.review"),
    )
    DUPLICATE_REVIEW_UPDATE = (
        "people.duplicate_review.update",
        _("修改疑似重复核查结论"),
        False,
        ("duplicate_review.update",),
    )
    ROSTER_IMPORT_SUBMIT = (
        "people.roster_import.submit",
        _("提交花名册导入"),
        False,
        ("roster.import_submit",),
    )
    ROSTER_IMPORT_RUN = "people.roster_import.run", _("导入花名册"), False, ("roster.import",)
    DEMO_GENERATE = "people.demo.generate", _("生成演示数据"), False, ("demo.generate",)


REGISTRY = AppRegistry(
    actions=PeopleAction,
    permissions={
        "person.view": ALL_ROLES,
        "person.edit": OPERATORS,
        "person.view_unmasked": OPERATORS | {Role.AUDITOR},
        "roster.import": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.TOWNSHIP_CLERK}),
        "duplicate.review": frozenset({Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.AUDITOR}),
    },
    pages={
        "people:search": "person.view",
        "people:search_results": "person.view",
        "people:detail": "person.view",
        "people:household": "person.view",
        "people:create": "person.edit",
        "people:edit": "person.edit",
        "people:status_add": "person.edit",
        "people:status_end": "person.edit",
        "people:duplicates": "person.view",
        "people:duplicate_review": "duplicate.review",
        "people:export": "person.view",
        "people:import": "roster.import",
        "people:import_list": "roster.import",
        "people:import_detail": "roster.import",
        "people:import_progress": "roster.import",
        "people:import_errors": "roster.import",
        "people:import_template": "roster.import",
    },
    menu=(
        MenuEntry("people:search", _("查找参保人"), "person.view", order=20),
        MenuEntry("people:create", _("新增参保人"), "person.edit", order=30),
        MenuEntry("people:import", _("导入花名册"), "roster.import", order=40),
        MenuEntry("people:duplicates", _("疑似重复"), "duplicate.review", order=50),
    ),
    tiles=(
        HomeTile(
            "people:search",
            _("查找参保人"),
            _("按身份证号或姓名查找，查看、修改信息"),
            "person.view",
            10,
        ),
        HomeTile("people:create", _("新增参保人"), _("登记一位新的参保人"), "person.edit", 20),
        HomeTile(
            "people:import", _("导入花名册"), _("从 Excel 或 CSV 文件成批导入"), "roster.import", 30
        ),
        HomeTile(
            "people:duplicates",
            _("疑似重复"),
            _("姓名、出生日期相同的人，逐一核查"),
            "duplicate.review",
            40,
        ),
    ),
    object_types={
        "people.person": _("参保人"),
        "people.household": _("户"),
        "people.specialstatus": _("特殊群体身份"),
        "people.duplicatereview": _("疑似重复核查"),
        "people.rosterimport": _("花名册导入"),
    },
    routers=(
        ApiRouter("/persons", "jumin.people.api:persons_router"),
        ApiRouter("/imports", "jumin.people.api:roster_imports_router"),
    ),
    urls=(("people/", "jumin.people.web.urls"),),
    # what core shows of this app without importing it (reads in queries/)
    region_counts=(
        RegionCount(
            "persons",
            _("登记人数"),
            "jumin.people.queries.persons:persons_by_region",
            order=10,
            list_url_name="people:export",
            list_label=_("下载本村名单（Excel）"),
        ),
        RegionCount(
            "living",
            _("在世人数"),
            "jumin.people.queries.persons:living_by_region",
            order=20,
            on_tree=False,
        ),
    ),
    audit_subjects=(
        AuditSubject(
            "id_number",
            _("参保人身份证号"),
            "jumin.people.queries.history:audit_entries_of_person",
            max_length=18,
            not_found=_("在您的管辖范围内没有这个身份证号的参保人。"),
        ),
    ),
    audit_field_labels="jumin.people.queries.history:FIELD_LABELS",
)
