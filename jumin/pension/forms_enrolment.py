"""Forms of the enrolment pages: input shape only; the rules live in services_enrolment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jumin.core.forms import Form
from jumin.pension.models import CloseReason, PauseReason

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def grade_choices(grades) -> list[tuple[str, str]]:
    return [("", _("不选（按本年度最低档）"))] + [
        (str(grade.amount), f"{grade.amount.normalize():f} 元") for grade in grades
    ]


class EnrolmentRegisterForm(Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=30)
    applied_on = forms.DateField(
        label=_("申请日期"), required=False, widget=DATE_WIDGET, help_text=_("不填为今天")
    )
    full_time_student = forms.BooleanField(label=_("是全日制在校学生"), required=False)
    grade = forms.ChoiceField(label=_("缴费档次"), required=False, choices=())
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = grade_choices(grades)


class ReasonForm(Form):
    reason = forms.CharField(label=_("退回原因"), max_length=200)


class PauseForm(Form):
    reason = forms.ChoiceField(label=_("暂停原因"), choices=PauseReason.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ResumeForm(Form):
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class CloseForm(Form):
    reason = forms.ChoiceField(label=_("注销原因"), choices=CloseReason.choices)
    closed_on = forms.DateField(label=_("注销日期"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ChangeForm(Form):
    full_time_student = forms.BooleanField(label=_("是全日制在校学生"), required=False)
    village = forms.ChoiceField(label=_("村（社区）"), choices=())
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    reason = forms.CharField(label=_("变更原因"), max_length=200, required=False)

    def __init__(self, *args, village_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = list(village_choices)


class GradeForm(Form):
    amount = forms.ChoiceField(label=_("缴费档次"), choices=())

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].choices = grade_choices(grades)[1:]


class EmployeeListForm(Form):
    file = forms.FileField(label=_("名单文件（.xlsx 或 .csv）"))
