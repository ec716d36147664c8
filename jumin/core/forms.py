"""The base of every form in jumin, and the forms of the core pages.

Every form of the project derives from ``Form`` or ``ModelForm`` here (a test walks all of
them), so what a person types meets the same rules as the JSON API and the file imports:

- every text field refuses control characters with ``jumin.core.text.check_text`` (line breaks
  and tabs only in a ``Textarea``): a ``\x07`` in a name would otherwise be stored and break
  every Excel export that holds it, and PostgreSQL cannot store a NUL byte at all;
- every date field accepts 1900-01-01 … 2199-12-31 (``jumin.core.parsing``), so adding a day or
  a month to a typed date can never overflow;
- every integer field without its own bounds stays within the database's 64-bit integers.

The problem is shown on the field, in Chinese, with what was typed kept in the form. Forms
only parse input; the rules live in ``services.py``.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from jumin.core import parsing
from jumin.core.models import Role
from jumin.core.queries import AuditFilters, action_choices, object_type_choices
from jumin.core.text import TextError, check_text

# --------------------------------------------------------------------------- input rules


@deconstructible
class TextRuleValidator:
    """``check_text`` as a field validator: the Chinese message lands on the field."""

    code = "control_characters"

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value):
        try:
            check_text(value, multiline=self.multiline)
        except TextError as error:
            raise ValidationError(error.message, code=self.code) from None

    def __eq__(self, other):
        return isinstance(other, TextRuleValidator) and other.multiline == self.multiline


@deconstructible
class DateRangeValidator:
    """Dates from 1900-01-01 to 2199-12-31 (``parsing.check_date``)."""

    code = "date_range"

    def __call__(self, value):
        try:
            parsing.check_date(value)
        except parsing.InputError as error:
            raise ValidationError(error.message, code=self.code) from None

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator)


@deconstructible
class IntegerRangeValidator:
    """An integer the database can hold (±(2⁶³ − 1)); ids and counts beyond are typing errors."""

    code = "integer_range"

    def __call__(self, value):
        if not -parsing.MAX_ID <= value <= parsing.MAX_ID:
            raise ValidationError(_("数字过大"), code=self.code)

    def __eq__(self, other):
        return isinstance(other, IntegerRangeValidator)


def apply_input_rules(field: forms.Field) -> forms.Field:
    """Give ``field`` the validators of its kind (once); see the module's docstring."""
    if getattr(field, "input_rules_applied", False):
        return field
    validators = list(field.validators)
    if isinstance(field, forms.CharField):
        multiline = isinstance(field.widget, forms.Textarea)
        # check_text names the NUL byte like any other control character, in Chinese
        validators = [
            validator
            for validator in validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]
        validators.append(TextRuleValidator(multiline=multiline))
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        validators.append(DateRangeValidator())
    elif isinstance(field, forms.IntegerField) and not isinstance(
        field, forms.DecimalField | forms.FloatField
    ):
        if field.max_value is None or field.min_value is None:
            validators.append(IntegerRangeValidator())
    field.validators = validators
    field.input_rules_applied = True
    return field


class InputRulesMixin:
    """Applies ``apply_input_rules`` to every field, including those added in ``__init__``."""

    def full_clean(self):
        for field in self.fields.values():
            apply_input_rules(field)
        super().full_clean()


class Form(InputRulesMixin, forms.Form):
    """``django.forms.Form`` with jumin's input rules: every form of the project uses it."""


class ModelForm(InputRulesMixin, forms.ModelForm):
    """``django.forms.ModelForm`` with jumin's input rules."""


class YearField(forms.IntegerField):
    """A year typed on a page; 1900–2100 unless the form narrows it (``parsing.parse_year``)."""

    def __init__(self, *, min_value=parsing.YEAR_MIN, max_value=parsing.YEAR_MAX, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("年度应写成 2026"),
                "min_value": _("年度不能早于 %(limit_value)s"),
                "max_value": _("年度不能晚于 %(limit_value)s"),
            },
        )
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


# --------------------------------------------------------------------------- login


class LoginForm(Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, max_length=128)


# --------------------------------------------------------------------------- staff


class StaffForm(Form):
    """Name, role, region, phone (and whether the account is in use, when editing)."""

    full_name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.ChoiceField(label=_("角色"), choices=[("", "——请选择——"), *Role.choices])
    region = forms.ChoiceField(label=_("管辖区域"))
    phone = forms.CharField(
        label=_("联系电话"), max_length=20, required=False, help_text=_("手机号或带区号的固定电话")
    )

    def __init__(self, *args, region_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "——请选择——"), *region_choices]
        self.fields["region"].help_text = _(
            "县级角色选县；乡镇经办员选乡镇；村协理员选村（社区）。"
        )


class StaffCreateForm(StaffForm):
    username = forms.CharField(
        label=_("用户名（登录用）"),
        max_length=150,
        help_text=_("字母或数字，例如 zhangsan；建好后不能修改"),
    )
    field_order = ["username", "full_name", "role", "region", "phone"]


class StaffEditForm(StaffForm):
    is_active = forms.BooleanField(
        label=_("账号可以使用"),
        required=False,
        help_text=_("取消勾选即停用：停用后不能登录，记录保留。"),
    )


# --------------------------------------------------------------------------- password


class PasswordChangeForm(Form):
    old_password = forms.CharField(
        label=_("原密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        max_length=128,
    )
    new_password = forms.CharField(
        label=_("新密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=128,
        help_text=_(
            "至少10个字符，必须同时有字母和数字；不能全是数字，不能是常见密码，"
            "也不能和您的用户名、姓名太像。"
        ),
    )
    new_password_again = forms.CharField(
        label=_("再输入一次新密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=128,
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("new_password")
            and data.get("new_password_again")
            and data["new_password"] != data["new_password_again"]
        ):
            self.add_error("new_password_again", _("两次输入的新密码不一样"))
        return data


# --------------------------------------------------------------------------- regions


REGION_FILE_MAX_BYTES = 20 * 1024 * 1024  # a province's villages fit in a few megabytes


class RegionImportForm(Form):
    file = forms.FileField(
        label=_("区划文件（Excel .xlsx 或 CSV）"),
        help_text=_("第一行为表头：区划代码,名称（可加：生效日期,失效日期）"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > REGION_FILE_MAX_BYTES:
            raise forms.ValidationError(
                _("文件太大（超过20MB），区划文件不应这么大，请检查是否选错了文件")
            )
        return upload


# --------------------------------------------------------------------------- audit


class AuditSearchForm(Form):
    id_number = forms.CharField(label=_("参保人身份证号"), max_length=18, required=False)
    actor = forms.CharField(label=_("操作人用户名"), max_length=150, required=False)
    action = forms.ChoiceField(
        label=_("操作"),
        required=False,
        choices=lambda: [("", "全部"), *action_choices()],
    )
    object_type = forms.ChoiceField(
        label=_("对象类型"),
        required=False,
        choices=lambda: [("", "全部"), *object_type_choices()],
    )
    date_from = forms.DateField(
        label=_("从（日期）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("到（日期）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    request_id = forms.CharField(label=_("请求编号"), max_length=64, required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("结束日期不能早于开始日期"))
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            id_number=data.get("id_number") or "",
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            request_id=data.get("request_id") or "",
        )
