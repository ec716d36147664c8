"""Forms of the people pages. They only parse what was typed; the rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jumin.core.forms import Form
from jumin.people.models import (
    DuplicateReview,
    HukouType,
    RosterImport,
    Sex,
    SpecialStatusKind,
)


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


class PersonFieldsForm(Form):
    """The fields a person has in common between create and edit."""

    name = text_field(_("姓名"), max_length=50, autocomplete="off")
    village_id = forms.ChoiceField(
        label=_("村（社区）"),
        error_messages={
            "required": _("请选择村（社区）"),
            "invalid_choice": _("请从列表中选择您管辖范围内的村（社区）"),
        },
    )
    household_number = text_field(_("户号"), max_length=30, help_text=_("可不填"))
    relation_to_head = text_field(
        _("与户主关系"), max_length=20, help_text=_("如：户主、配偶、子、女")
    )
    hukou_type = forms.ChoiceField(
        label=_("户籍类型"), required=False, choices=[("", _("（不填）")), *HukouType.choices]
    )
    phone = text_field(
        _("联系电话"), max_length=20, help_text=_("11位手机号，或带区号的固定电话"), inputmode="tel"
    )
    passbook_number = text_field(_("存折账号"), max_length=40, inputmode="numeric")
    social_security_card_number = text_field(_("社保卡号"), max_length=40)

    # Checked by the service rather than the form, but shown with a * all the same.
    needed = frozenset({"name"})

    def __init__(self, *args, village_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village_id"].choices = [("", _("—— 请选择 ——")), *village_choices]

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the service's ``{field: [message]}`` on the fields shown, the rest on top."""
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class PersonCreateForm(PersonFieldsForm):
    id_number = text_field(
        _("身份证号"),
        max_length=30,
        help_text=_("18位；最后一位可以是 X。15位的老号码会自动转换"),
        autocomplete="off",
    )
    sex = forms.ChoiceField(
        label=_("性别"),
        required=False,
        choices=[("", _("（按身份证号）")), *Sex.choices],
        help_text=_("可不填；填了会与身份证号核对"),
    )
    birth_date = date_field(_("出生日期"), help_text=_("可不填；填了会与身份证号核对"))

    field_order = ["id_number", "name", "sex", "birth_date", "village_id"]
    needed = frozenset({"id_number", "name"})


class PersonEditForm(PersonFieldsForm):
    death_date = date_field(_("死亡日期"), help_text=_("人员去世时填写"))
    reason = text_field(_("修改原因"), max_length=500, help_text=_("可不填；会记入修改记录"))


DETAIL_CHOICES = [
    ("", _("（无）")),
    (
        _("重度残疾人：残疾等级"),
        [("1", _("一级")), ("2", _("二级")), ("3", _("三级")), ("4", _("四级"))],
    ),
    (_("低保对象：类型"), [("full", _("全额")), ("partial", _("差额"))]),
    (
        _("计生特殊家庭：类型"),
        [("独生子女死亡", _("独生子女死亡")), ("独生子女伤残", _("独生子女伤残"))],
    ),
]
DETAIL_LABELS = {value: label for _group, options in DETAIL_CHOICES[1:] for value, label in options}


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
        choices=DETAIL_CHOICES,
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
