"""Claims (补偿申请) and their settlements (结算), and the API tokens of hospitals.

- ``Claim``: one hospital invoice of one person: from the hospital through the API (direct
  settlement, 直接结算) or brought to the counter (manual reimbursement, 手工报销). The natural
  key is hospital × invoice number: the same submission again answers the same claim.
- ``ClaimLine``: the invoice's lines classed A (甲类), B (乙类) or self-paid (自费); the
  counter enters one line per class (the invoice's totals by class).
- ``Settlement``: append-only. Each row is one settlement of one claim: basic fund, critical
  illness, assistance and patient amounts that add up to the claim's total, with the
  explanation. A re-settlement of the person's year writes a reversing row (the same
  amounts negated, ``reverses`` → the old row) and a new row; nothing is ever edited.
  The current settlement of a claim is its row that is neither a reversal nor reversed.
- ``HospitalToken``: a bearer token bound to one hospital: it sees and submits only that
  hospital's claims (``jumin.medical.api.auth``). Only its SHA-256 is stored.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jumin.core.models import MONEY
from jumin.medical.settlement import render_explanation


class ClaimKind(models.TextChoices):
    INPATIENT = "inpatient", _("住院")
    OUTPATIENT_POOLING = "outpatient_pooling", _("普通门诊统筹")
    TWO_DISEASE = "two_disease", _("两病门诊")
    CHRONIC = "chronic_outpatient", _("门诊慢特病")
    CHILDBIRTH = "childbirth", _("住院分娩")
    ACCIDENT = "accidental_injury", _("意外伤害")
    SPECIAL_ITEM = "special_item", _("特殊项目")


class ClaimChannel(models.TextChoices):
    HOSPITAL = "hospital", _("医院直接结算")
    COUNTER = "counter", _("窗口手工报销")


class LineClass(models.TextChoices):
    A = "a", _("甲类")
    B = "b", _("乙类")
    SELF_PAID = "self", _("自费")


class Investigation(models.TextChoices):
    NOT_NEEDED = "", _("无需调查")
    PENDING = "pending", _("待调查")
    APPROVED = "approved", _("调查通过")
    REFUSED = "refused", _("调查未通过")


class Claim(models.Model):
    scope_field = "person__village_id"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    hospital = models.ForeignKey(
        "medical.Hospital", on_delete=models.PROTECT, related_name="claims"
    )
    coverage_year = models.PositiveSmallIntegerField(_("参保年度"))
    kind = models.CharField(_("类别"), max_length=24, choices=ClaimKind.choices)
    channel = models.CharField(_("渠道"), max_length=12, choices=ClaimChannel.choices)
    invoice_number = models.CharField(_("发票号"), max_length=40)
    admission_date = models.DateField(_("入院（就诊）日期"))
    discharge_date = models.DateField(_("出院日期"))
    diagnosis = models.CharField(_("诊断编码"), max_length=10)
    special_item = models.CharField(_("特殊项目"), max_length=40, blank=True)
    out_of_area_filed = models.BooleanField(_("异地就医已备案"), default=False)
    investigation = models.CharField(
        _("意外伤害调查"), max_length=10, choices=Investigation.choices, blank=True, default=""
    )
    total = models.DecimalField(_("总费用"), **MONEY)
    class_a = models.DecimalField(_("甲类费用"), **MONEY)
    class_b = models.DecimalField(_("乙类费用"), **MONEY)
    self_paid = models.DecimalField(_("自费费用"), **MONEY)
    submission_digest = models.CharField(max_length=64)  # what was sent: a repeat is the same
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("医疗费用补偿")
        verbose_name_plural = _("医疗费用补偿")
        ordering = ["-discharge_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "invoice_number"], name="medical_claim_invoice_once"
            ),
            models.CheckConstraint(
                condition=Q(discharge_date__gte=models.F("admission_date")),
                name="medical_claim_dates_ordered",
            ),
        ]
        # the lines adding up to the total is checked by the service (SQLite compares
        # decimals as floats, so a CHECK on the sum would refuse good claims)
        indexes = [
            models.Index(fields=["person", "coverage_year"], name="medical_claim_person_year"),
            models.Index(fields=["hospital", "discharge_date"], name="medical_claim_hosp_month"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.invoice_number}"


class ClaimLine(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="lines")
    number = models.PositiveSmallIntegerField(_("行号"))
    code = models.CharField(_("项目编码"), max_length=40, blank=True)
    name = models.CharField(_("项目名称"), max_length=100)
    line_class = models.CharField(_("类别"), max_length=4, choices=LineClass.choices)
    amount = models.DecimalField(_("金额"), **MONEY)

    class Meta:
        verbose_name = _("费用明细")
        verbose_name_plural = _("费用明细")
        ordering = ["claim_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "number"], name="medical_claim_line_once")
        ]


class Settlement(models.Model):
    scope_field = "person__village_id"
    append_only = True

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="settlements")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    coverage_year = models.PositiveSmallIntegerField(_("参保年度"))
    policy = models.ForeignKey(
        "medical.MedicalPolicy", on_delete=models.PROTECT, related_name="settlements"
    )
    policy_version = models.PositiveIntegerField(_("政策版本"))
    total = models.DecimalField(_("总费用"), **MONEY)
    eligible_cost = models.DecimalField(_("政策范围内费用"), **MONEY)
    basic = models.DecimalField(_("基本医保支付"), **MONEY)
    critical_illness = models.DecimalField(_("大病保险支付"), **MONEY)
    assistance = models.DecimalField(_("医疗救助支付"), **MONEY)
    patient = models.DecimalField(_("个人负担"), **MONEY)
    # each step as data, [code, [parameters], amount]; in words: ``explanation_steps``
    explanation = models.JSONField(_("计算过程"), default=list)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal"
    )
    reason = models.CharField(_("原因"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("结算记录")
        verbose_name_plural = _("结算记录")
        ordering = ["claim_id", "pk"]
        indexes = [
            models.Index(fields=["person", "coverage_year"], name="medical_settle_person_year"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.basic}/{self.critical_illness}/{self.assistance}"

    @property
    def explanation_steps(self) -> list[dict]:
        """The stored explanation in words: ``[{"step", "parameter", "amount"}]``."""
        return render_explanation(self.explanation)


class HospitalToken(models.Model):
    scope_field = "hospital__region_id"

    hospital = models.ForeignKey(
        "medical.Hospital", on_delete=models.PROTECT, related_name="tokens"
    )
    name = models.CharField(_("名称"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("医院接口令牌")
        verbose_name_plural = _("医院接口令牌")

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
