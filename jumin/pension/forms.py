"""Forms of the pension pages. They only parse input; the plan rules live in
``jumin.pension.rules`` and are applied by the services."""

from django import forms

from jumin.core.forms import Form, ModelForm
from jumin.pension.models import ContributionGrade, ContributionPlan, GovernmentPaidRule
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
