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

__all__ = [
    "INCOME_SOURCES",
    "SCHEME",
    "AssistanceMode",
    "AssistanceRule",
    "CoverageStatus",
    "Financing",
    "FundEntry",
    "FundPosting",
    "FundSource",
    "Hospital",
    "HospitalLevel",
    "MedicalEnrolment",
    "ParticipationTarget",
]
