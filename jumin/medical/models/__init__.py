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
from jumin.medical.models.financing import (
    AssistanceMode,
    AssistanceRule,
    Financing,
    ParticipationTarget,
)
from jumin.medical.models.fund import (
    INCOME_SOURCES,
    SCHEME,
    FundEntry,
    FundPosting,
    FundSource,
)
from jumin.medical.models.hospitals import Hospital, HospitalLevel
from jumin.medical.models.policy import MedicalPolicy

__all__ = [
    "INCOME_SOURCES",
    "SCHEME",
    "AssistanceMode",
    "AssistanceRule",
    "Claim",
    "ClaimChannel",
    "ClaimKind",
    "ClaimLine",
    "CoverageStatus",
    "Financing",
    "FundEntry",
    "FundPosting",
    "FundSource",
    "Hospital",
    "HospitalLevel",
    "HospitalToken",
    "Investigation",
    "LineClass",
    "MedicalEnrolment",
    "MedicalPolicy",
    "ParticipationTarget",
    "Settlement",
]
