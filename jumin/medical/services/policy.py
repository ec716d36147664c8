"""Writes of the medical benefit policy: one JSON document per coverage year × region.

Created, edited (a new version of the same row) and imported through one function,
``policy_save``, which refuses a document with every problem listed (``settlement.policy_problems``)
and records the document before and after in the audit trail. A saved change of a policy that
settlements used re-settles the years it governs (``claims.resettle_policy``).
"""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jumin.core import audit
from jumin.core.access import require, require_in_scope
from jumin.core.models import Region
from jumin.medical import settlement
from jumin.medical.models import MedicalPolicy
from jumin.medical.registry import MedicalAction

DEFAULT_POLICY_FILE = Path(__file__).parent.parent / "data" / "default_policy.json"


def default_document() -> dict:
    return json.loads(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))


def read_document(text: str) -> dict:
    """A policy document from JSON text (a page's text box, an uploaded file)."""
    try:
        document = json.loads(text)
    except (ValueError, TypeError) as error:
        raise ValidationError({"document": f"不是有效的 JSON：{error}"}) from None
    if isinstance(document, dict) and "policy" in document and "coverage_year" in document:
        document = document["policy"]  # an exported file: {"coverage_year", "region", "policy"}
    return document


def export_document(policy: MedicalPolicy) -> dict:
    """The ONE JSON document a province sends its counties (``read_document`` reads it back)."""
    return {
        "coverage_year": policy.coverage_year,
        "region": policy.region_id,
        "version": policy.version,
        "document_number": policy.document_number,
        "policy": policy.document,
    }


def policy_save(
    *,
    acting_user,
    coverage_year: int,
    region_code: str,
    document: dict,
    document_number: str = "",
    resettle: bool = True,
) -> tuple[MedicalPolicy, bool]:
    """Create or change the policy of ``coverage_year`` for a region; (policy, changed).

    Saving the same document again changes nothing. ``acting_user=None``: the machine's
    operator (seeding). Every problem is listed in one ValidationError."""
    if acting_user is not None:
        require(acting_user, "medical_policy.manage")
        require_in_scope(acting_user, region_code)
    problems = settlement.policy_problems(document)
    if problems:
        raise ValidationError(problems)
    if not 2000 <= int(coverage_year) <= 2100:
        raise ValidationError({"coverage_year": "参保年度应在 2000 到 2100 之间"})
    with transaction.atomic():
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise ValidationError({"region": f"适用区划：没有区划代码 {region_code}"})
        policy = (
            MedicalPolicy.objects.select_for_update()
            .filter(coverage_year=coverage_year, region=region)
            .first()
        )
        if policy is None:
            policy = MedicalPolicy.objects.create(
                coverage_year=coverage_year,
                region=region,
                document=document,
                document_number=document_number,
            )
            audit.record(
                actor=acting_user,
                action=MedicalAction.POLICY_CREATE,
                obj=policy,
                after={"coverage_year": coverage_year, "document": document},
            )
            return policy, True
        if policy.document == document and policy.document_number == document_number:
            return policy, False
        before = {"version": policy.version, "document": policy.document}
        MedicalPolicy.objects.filter(pk=policy.pk).update(
            document=document,
            document_number=document_number,
            version=policy.version + 1,
            updated_at=timezone.now(),
        )
        policy.refresh_from_db()
        audit.record(
            actor=acting_user,
            action=MedicalAction.POLICY_UPDATE,
            obj=policy,
            before=before,
            after={"version": policy.version, "document": document},
        )
        if resettle:
            from jumin.medical.services.claims import resettle_policy

            resettle_policy(policy=policy, reason="政策修正")
        return policy, True


def policy_seed(*, coverage_year: int, region_code: str) -> tuple[MedicalPolicy, bool]:
    """The default policy (POLICY §3.4–3.6, the medical city of COUNTY.md) for a region's year,
    unless the region has one already."""
    existing = MedicalPolicy.objects.filter(
        coverage_year=coverage_year, region_id=region_code
    ).first()
    if existing is not None:
        return existing, False
    return policy_save(
        acting_user=None,
        coverage_year=coverage_year,
        region_code=region_code,
        document=default_document(),
        document_number="默认政策（POLICY §3.4–3.6）",
    )
