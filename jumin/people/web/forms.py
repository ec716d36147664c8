"""Forms of the people pages. They only parse what was typed; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jumin.core.forms import Form
from jumin.people import fields
from jumin.people.fields import Kind, PersonField
from jumin.people.models import DETAIL_CHOICES, DuplicateReview, RosterImport, SpecialStatusKind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, *, required_message: str = "", help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=bool(required_message),
        widget=DateInput(),
        help_text=help_text,
        error_messages={"invalid": _("日期格式应为 2024-01-31"), "required": required_message},
    )


def text_field(label, *, max_length: int, help_text: str = "", **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


def person_form_field(person_field: PersonField) -> forms.Field:
    """The form field of one field of the spec (``jumin.people.fields``), by its kind."""
    kind = person_field.kind
    if kind == Kind.VILLAGE:
        return forms.ChoiceField(
            label=person_field.label,
            error_messages={
                "required": _("请选择村（社区）"),
                "invalid_choice": _("请从列表中选择您管辖范围内的村（社区）"),
            },
        )
    if kind == Kind.CHOICE:
        blank = _("（按身份证号）") if person_field.identity else _("（不填）")
        return forms.ChoiceField(
            label=person_field.label,
            required=False,
            choices=[("", blank), *person_field.choices.choices],
            help_text=person_field.help_text,
        )
    if kind == Kind.DATE:
        return date_field(person_field.label, help_text=person_field.help_text)
    attrs = {
        Kind.ID_NUMBER: {"autocomplete": "off"},
        Kind.NAME: {"autocomplete": "off"},
        Kind.PHONE: {"inputmode": "tel"},
    }.get(kind, {})
    return text_field(
        person_field.label,
        max_length=person_field.input_max_length,
        help_text=person_field.help_text,
        **attrs,
    )


class PersonFieldsForm(Form):
    """The base of the register and edit forms; their fields come from the spec."""

    # Checked by the service rather than the form, but shown with a * all the same.
    needed = frozenset(f.name for f in fields.REQUIRED)

    def __init__(self, *args, village_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village_id"].choices = [("", _("—— 请选择 ——")), *village_choices]


def person_form(name: str, person_fields, **more) -> type[PersonFieldsForm]:
    """A form class with one field per spec field, in the spec's order, then ``more``."""
    attributes = {f.name: person_form_field(f) for f in person_fields}
    attributes.update(more, __module__=__name__, __qualname__=name)
    return type(PersonFieldsForm)(name, (PersonFieldsForm,), attributes)


PersonCreateForm = person_form("PersonCreateForm", fields.ON_CREATE_FORM)
PersonEditForm = person_form(
    "PersonEditForm",
    fields.EDITABLE,
    reason=text_field(_("修改原因"), max_length=500, help_text=_("可不填；会记入修改记录")),
)


class SpecialStatusForm(Form):
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=[("", _("—— 请选择 ——")), *SpecialStatusKind.choices],
        error_messages={
            "required": _("请选择特殊群体类别"),
            "invalid_choice": _("请选择特殊群体类别"),
        },
    )
    detail = forms.ChoiceField(
        label=_("等级/类型"),
        required=False,
        choices=[("", _("（无）")), *DETAIL_CHOICES],
        help_text=_("残疾人选等级，低保选全额或差额"),
        error_messages={"invalid_choice": _("请从列表中选择等级/类型")},
    )
    valid_from = date_field(_("开始日期"), required_message=_("请填写开始日期"))
    valid_to = date_field(_("结束日期"), help_text=_("不填表示一直有效"))
    source = text_field(_("认定来源/文号"), max_length=100, help_text=_("如：民政局认定文号"))


class SpecialStatusEndForm(Form):
    valid_to = date_field(
        _("结束日期"), required_message=_("请填写结束日期"), help_text=_("身份有效的最后一天")
    )
    reason = text_field(_("原因"), max_length=500)


class DuplicateReviewForm(Form):
    first = forms.IntegerField(widget=forms.HiddenInput)
    second = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("结论"),
        choices=DuplicateReview.Decision.choices,
        error_messages={"required": _("请选择核查结论"), "invalid_choice": _("请选择核查结论")},
    )
    note = text_field(_("说明"), max_length=500)


# --------------------------------------------------------------------------- roster import

MODE_CHOICES = [
    (
        RosterImport.Mode.ALL_OR_NOTHING,
        _("全部正确才导入：只要有一行有错，就一行也不导入。改正后再导入一次。（推荐）"),
    ),
    (
        RosterImport.Mode.VALID_ONLY,
        _("只导入正确的行：正确的行先导入，有错的行列在错误清单里，改正后再导入这些行。"),
    ),
]


class RosterImportForm(Form):
    file = forms.FileField(
        label=_("花名册文件"),
        help_text=_("Excel 工作簿（.xlsx）或 CSV 文件（UTF-8 或 GB18030/GBK 编码）"),
        error_messages={
            "required": _("请选择要导入的文件"),
            "empty": _("文件是空的"),
            "invalid": _("没有收到文件，请重新选择"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=MODE_CHOICES,
        initial=RosterImport.Mode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择导入方式"),
            "invalid_choice": _("请选择导入方式"),
        },
    )
