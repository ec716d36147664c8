"""Forms of the collection pages. They only parse what was typed; the rules live in services."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from jumin.collection.schemes import schemes
from jumin.core.forms import Form, YearField
from jumin.core.text import is_ascii_digits


def region_filter(value) -> str:
    """A township or village filter of a list page: a 12-digit code, anything else none."""
    value = (value or "").strip()
    return value if is_ascii_digits(value) and len(value) == 12 else ""


class RegisterForm(Form):
    series = forms.CharField(
        label="票据字轨", max_length=20, help_text="印在票据上的字轨，如“皖财农保〔2026〕”"
    )
    first_number = forms.IntegerField(label="起始号", min_value=1, max_value=2_000_000_000)
    last_number = forms.IntegerField(label="终止号", min_value=1, max_value=2_000_000_000)


class HandoverForm(Form):
    receiver = forms.TypedChoiceField(label="接收人", coerce=int)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, receivers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.receivers = {user.pk: user for user in receivers}
        self.fields["receiver"].choices = [("", "—— 请选择 ——")] + [
            (user.pk, f"{user}（{user.get_role_display()}，{user.region.name}）")
            for user in receivers
        ]


class FindPayerForm(Form):
    id_number = forms.CharField(label="缴费人身份证号", max_length=18)
    year = forms.IntegerField(label="缴费年度", min_value=2000, max_value=2100)


class IssueForm(Form):
    id_number = forms.CharField(widget=forms.HiddenInput)
    year = YearField(widget=forms.HiddenInput)
    due = forms.TypedChoiceField(label="应缴记录", coerce=int, widget=forms.RadioSelect)
    number = forms.IntegerField(label="票号", min_value=1)
    amount = forms.DecimalField(label="金额（元）", max_digits=14, decimal_places=2)
    payer_name = forms.CharField(label="交款人", max_length=50, required=False)
    issued_on = forms.DateField(
        label="开票日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, dues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due"].choices = [
            (due.pk, f"{due.year}年 {due.get_kind_display()} 应缴{due.amount}元") for due in dues
        ]


class ReasonForm(Form):
    reason = forms.CharField(label="原因", max_length=200)


class LostForm(ReasonForm):
    number = forms.IntegerField(label="遗失的票号", min_value=1)


class DepositForm(Form):
    village = forms.CharField(widget=forms.HiddenInput)
    bank = forms.CharField(label="存入银行", max_length=40)
    slip_number = forms.CharField(label="缴款单号", max_length=40)
    deposited_on = forms.DateField(
        label="缴存日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount = forms.DecimalField(label="金额（元）", max_digits=14, decimal_places=2)
    depositor_name = forms.CharField(label="缴款人", max_length=50)
    receipt_ids = forms.TypedMultipleChoiceField(
        label="这次缴存的票据", coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, receipts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt_ids"].choices = [
            (
                receipt.pk,
                f"{receipt.reference} {timezone.localdate(receipt.issued_at):%Y-%m-%d} "
                f"{receipt.payer_name} {receipt.amount}元",
            )
            for receipt in receipts
        ]


class ReturnForm(Form):
    reason = forms.CharField(label="退回原因", max_length=200)


class OverdueForm(Form):
    on = forms.DateField(
        label="截至日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    township = forms.CharField(required=False)
    village = forms.CharField(required=False)


class DayForm(Form):
    on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.CharField(required=False)


class ComputeForm(Form):
    region = forms.CharField(label="区域")
    month = forms.CharField(label="月份", help_text="如 2026-03")


class StatementForm(Form):
    bank = forms.CharField(label="银行", max_length=40, initial="农商行")
    file = forms.FileField(label="对账单文件（.csv 或 .xlsx）")


class GovernmentPaidForm(Form):
    # each scheme's funds come from its own budget (the pension's 政府代缴, the medical
    # assistance fund's 资助参保): one confirmation is one scheme's
    scheme = forms.ChoiceField(label="险种", choices=())
    year = forms.IntegerField(
        label="缴费年度", min_value=2000, max_value=2100, help_text="居民医保为参保年度"
    )
    amount = forms.DecimalField(label="财政拨付金额（元）", max_digits=14, decimal_places=2)
    reference = forms.CharField(label="拨款凭证号", max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [("", "请选择险种")] + [
            (code, scheme.label) for code, scheme in schemes().items()
        ]


class YearForm(Form):
    year = forms.IntegerField(label="缴费年度", min_value=2000, max_value=2100)


class BatchForm(YearForm):
    bank = forms.CharField(label="银行（与存折开户行一致）", max_length=20)


MAX_UPLOAD = 200 * 1024 * 1024


class UploadForm(Form):
    file = forms.FileField(label="文件")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.size:
            raise ValidationError("文件是空的")
        if upload.size > MAX_UPLOAD:
            raise ValidationError("文件过大（最大200MB）")
        return upload


class CalendarForm(Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    deposit_day = forms.IntegerField(label="每月几日前缴存", min_value=1, max_value=31)
    township_check_day = forms.IntegerField(label="每月几日前乡镇核对完", min_value=1, max_value=31)
    county_check_day = forms.IntegerField(label="每月几日前县级核对完", min_value=1, max_value=31)
