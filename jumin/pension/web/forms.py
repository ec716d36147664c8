"""Forms of the pension pages (plans, enrolments, grades, the employee list). They only parse
input; the rules live in ``jumin.pension.rules`` and are applied by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jumin.core.forms import Form, ModelForm
from jumin.pension.models import (
    CloseReason,
    ContributionGrade,
    ContributionPlan,
    GovernmentPaidRule,
    PauseReason,
)
from jumin.pension.services.plans import PLAN_FIELDS, RULE_FIELDS


class PlanForm(ModelForm):
    class Meta:
        model = ContributionPlan
        fields = PLAN_FIELDS
        widgets = {
            "government_paid_cutoff": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        }
        help_texts = {
            "government_paid_cutoff": "空着表示当年1月1日",
        }


class PlanCreateForm(Form):
    """Which year and region a new plan is for; the region list is the user's own county."""

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    region = forms.ChoiceField(label="适用区划")

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(region.code, region.name) for region in regions]


class GradeForm(ModelForm):
    class Meta:
        model = ContributionGrade
        fields = ("amount", "subsidy_province", "subsidy_city", "subsidy_county")


class PaidRuleForm(ModelForm):
    class Meta:
        model = GovernmentPaidRule
        fields = RULE_FIELDS


GradeFormSet = forms.formset_factory(GradeForm, extra=2, can_delete=True)
PaidRuleFormSet = forms.formset_factory(PaidRuleForm, extra=2, can_delete=True)


# --------------------------------------------------------------------------- enrolments

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


# --------------------------------------------------------------------------- awards, estimator


class StandardForm(Form):
    effective_from = forms.DateField(label=_("执行日期"))
    central_minimum = forms.CharField(label=_("中央基础养老金最低标准"), max_length=20)
    local_top_up = forms.CharField(label=_("地方加发基础养老金"), max_length=20, initial="0")
    extra_per_year = forms.CharField(label=_("长缴多得（每年每月）"), max_length=20, initial="0")
    extra_after_years = forms.IntegerField(label=_("长缴多得起算年限"), initial=15)
    required_years = forms.IntegerField(label=_("最低缴费年限"), initial=15)
    divisors = forms.CharField(
        label=_("计发月数（年龄=月数，逗号分隔）"),
        max_length=300,
        initial="50=195,55=170,60=139,61=132,62=125,63=117,64=109,65=101,70=56",
    )
    funeral_grant = forms.CharField(label=_("丧葬补助金"), max_length=20, initial="0")
    late_arrears_months = forms.IntegerField(
        label=_("逾期申请最多补发月数"),
        initial=12,
        required=False,
        min_value=0,
        max_value=99,
        help_text=_("到龄后晚申请的，从到龄次月起发，但最多补发申请月之前这么多个月"),
    )
    local_start = forms.DateField(label=_("本地制度实施日期"), required=False)
    document_number = forms.CharField(label=_("文号"), max_length=100, required=False)

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        table = {}
        for part in data["divisors"].replace("，", ",").split(","):
            age, _sep, months = part.partition("=")
            table[age.strip()] = months.strip()
        data["divisors"] = table
        if data.get("late_arrears_months") is None:
            data.pop("late_arrears_months", None)  # the service's default (12)
        return data


class EstimateForm(Form):
    birth_date = forms.DateField(label=_("出生日期"))
    from_year = forms.IntegerField(label=_("起缴年度"), min_value=1990, max_value=2100)
    opening = forms.DecimalField(
        label=_("已有账户余额"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    opening_years = forms.IntegerField(
        label=_("已有缴费年限"), min_value=0, max_value=60, initial=0
    )


class DecideForm(Form):
    approve = forms.TypedChoiceField(
        label=_("审核结果"),
        choices=(("1", _("核定")), ("0", _("不予核定"))),
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


# --------------------------------------------------------------------------- payroll


class MonthForm(Form):
    month = forms.CharField(label=_("发放月份"), max_length=7, help_text=_("如 2026-03"))


class PaymentResultForm(Form):
    file = forms.FileField(label=_("银行发放结果文件"))


class CertificationForm(Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    certified_on = forms.DateField(
        label=_("认证日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    channel = forms.ChoiceField(label=_("认证方式"))
    photo = forms.ImageField(label=_("上门认证照片"), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from jumin.pension.models import CertificationChannel

        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = CertificationChannel.choices


class DeathReportForm(Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    death_date = forms.DateField(
        label=_("死亡日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    proof = forms.CharField(label=_("证明材料"), max_length=200, required=False)


class DeathListForm(Form):
    source = forms.ChoiceField(label=_("名单来源"))
    file = forms.FileField(label=_("名单文件（Excel 或 CSV：身份证号、姓名、死亡日期）"))

    def __init__(self, *args, **kwargs):
        from jumin.pension.models import DeathSource

        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [
            choice for choice in DeathSource.choices if choice[0] != DeathSource.TOWNSHIP
        ]


class InheritanceForm(Form):
    heir_name = forms.CharField(label=_("继承人姓名"), max_length=50)
    heir_id_number = forms.CharField(label=_("继承人身份证号"), max_length=18)


class CollectionForm(Form):
    amount = forms.CharField(label=_("退回金额（元）"), max_length=20)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
