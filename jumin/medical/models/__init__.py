from jumin.medical.models.claims import (
    Claim,
    ClaimChannel,
    ClaimKind,
    ClaimLine,
    HospitalToken,
    Investigation,
    LineClass,
    Settlement,
)
from jumin.medical.models.enrolment import CoverageStatus, MedicalEnrolment
from jumin.medical.models.hospitals import Hospital, HospitalLevel
from jumin.medical.models.policy import MedicalPolicy

__all__ = [
    "Claim",
    "ClaimChannel",
    "ClaimKind",
    "ClaimLine",
    "CoverageStatus",
    "Hospital",
    "HospitalLevel",
    "HospitalToken",
    "Investigation",
    "LineClass",
    "MedicalEnrolment",
    "MedicalPolicy",
    "Settlement",
]
