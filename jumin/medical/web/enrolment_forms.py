"""Forms of the enrolment and financing pages (H4)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jumin.core.forms import Form, ModelForm
from jumin.medical.models import AssistanceRule, Financing

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegisterForm(Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=30)
    coverage_year = forms.IntegerField(label=_("参保年度"), min_value=2000, max_value=2100)
    enrolled_on = forms.DateField(
        label=_("登记日期"), required=False, widget=DATE_WIDGET, help_text=_("不填为今天")
    )


class CountyYearForm(Form):
    coverage_year = forms.IntegerField(label=_("参保年度"), min_value=2000, max_value=2100)


class FinancingForm(ModelForm):
    class Meta:
        model = Financing
        fields = (
            "premium",
            "subsidy",
            "window_start",
            "window_end",
            "waiting_months",
            "extra_from_second_break_year",
            "newborn_days",
            "document_number",
        )
        widgets = {"window_start": DATE_WIDGET, "window_end": DATE_WIDGET}


class AssistanceRuleForm(ModelForm):
    class Meta:
        model = AssistanceRule
        fields = ("kind", "detail", "precedence", "mode", "amount", "share")


AssistanceRuleFormSet = forms.formset_factory(AssistanceRuleForm, extra=2, can_delete=True)
