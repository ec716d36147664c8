"""Forms of the medical pages: thin, the services check the rest."""

from decimal import Decimal

from django import forms

from jumin.core.forms import Form, YearField
from jumin.medical.models import ClaimKind, HospitalLevel


def money_field(label: str, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=required,
        initial=Decimal("0.00") if not required else None,
    )


class ClaimForm(Form):
    id_number = forms.CharField(label="身份证号", max_length=18)
    hospital_code = forms.CharField(label="医疗机构编码", max_length=30)
    kind = forms.ChoiceField(label="类别", choices=ClaimKind.choices)
    invoice_number = forms.CharField(label="发票号", max_length=40)
    admission_date = forms.DateField(
        label="入院（就诊）日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    discharge_date = forms.DateField(
        label="出院日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    diagnosis = forms.CharField(
        label="诊断编码（ICD-10）", max_length=10, help_text="如 I10、K35.8"
    )
    special_item = forms.CharField(
        label="特殊项目编码",
        max_length=40,
        required=False,
        help_text="如 rabies_vaccine（狂犬疫苗）",
    )
    out_of_area_filed = forms.BooleanField(label="异地就医已备案", required=False)
    class_a = money_field("甲类费用", required=False)
    class_b = money_field("乙类费用", required=False)
    self_paid = money_field("自费费用", required=False)
    total = money_field("总费用")


class HospitalForm(Form):
    code = forms.CharField(label="医疗机构编码", max_length=30)
    name = forms.CharField(label="名称", max_length=100)
    level = forms.ChoiceField(label="级别", choices=HospitalLevel.choices)
    region = forms.CharField(label="所在区划代码", max_length=12, help_text="12位区划代码")
    in_county = forms.BooleanField(label="县域内", required=False, initial=True)


class PolicyForm(Form):
    coverage_year = YearField(label="参保年度")
    document_number = forms.CharField(label="文号", max_length=100, required=False)
    document = forms.CharField(
        label="政策参数（JSON）",
        widget=forms.Textarea(attrs={"rows": 30, "class": "code"}),
        max_length=200000,
        help_text="可直接粘贴省里下发的政策文件；保存前会列出所有问题。",
    )


class ClaimSearchForm(Form):
    id_number = forms.CharField(label="身份证号", max_length=18, required=False)
    invoice_number = forms.CharField(label="发票号", max_length=40, required=False)
    kind = forms.ChoiceField(
        label="类别", choices=[("", "全部"), *ClaimKind.choices], required=False
    )
    month = forms.CharField(label="出院月份", max_length=7, required=False, help_text="如 2026-03")
