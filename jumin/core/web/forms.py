"""The forms of core's pages: login, staff accounts, password, region import, audit search.

They derive from ``jumin.core.forms.Form`` and so meet the input rules of every form.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from jumin.core import registration
from jumin.core.forms import Form
from jumin.core.models import Role
from jumin.core.queries.audit import AuditFilters, action_choices, object_type_choices

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
    """The audit page's search; the apps' subject fields (a person's ID number) come first."""

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        subjects = {
            subject.field: forms.CharField(
                label=subject.label, max_length=subject.max_length, required=False
            )
            for subject in registration.audit_subjects()
        }
        self.fields = {**subjects, **self.fields}

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("结束日期不能早于开始日期"))
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            request_id=data.get("request_id") or "",
            subjects={
                subject.field: data.get(subject.field) or ""
                for subject in registration.audit_subjects()
            },
        )
