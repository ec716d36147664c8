"""Forms of the pension pages."""

from django import forms

from jumin.pension.models import ContributionGrade, ContributionPlan
from jumin.pension.services import PLAN_FIELDS


class PlanForm(forms.ModelForm):
    class Meta:
        model = ContributionPlan
        fields = PLAN_FIELDS


class GradeForm(forms.ModelForm):
    class Meta:
        model = ContributionGrade
        fields = ("amount", "subsidy_province", "subsidy_city", "subsidy_county")


GradeFormSet = forms.formset_factory(GradeForm, extra=2, can_delete=True)
