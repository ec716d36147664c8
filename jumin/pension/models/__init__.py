from jumin.pension.models.accounts import AccountEntry, EntrySource
from jumin.pension.models.dues import (
    SCHEME,
    ContributionDue,
    DueGeneration,
    Posting,
    group_label,
)
from jumin.pension.models.enrolment import (
    ACTIVE_STATUSES,
    CloseReason,
    EmployeeSchemeMember,
    Enrolment,
    EnrolmentEvent,
    EnrolmentStatus,
    GradeChoice,
    PauseReason,
)
from jumin.pension.models.plans import (
    MONEY,
    AmountRule,
    ContributionGrade,
    ContributionPlan,
    GovernmentPaidRule,
    ancestor_codes,
)

__all__ = [
    "ACTIVE_STATUSES",
    "MONEY",
    "AccountEntry",
    "AmountRule",
    "CloseReason",
    "ContributionDue",
    "ContributionGrade",
    "ContributionPlan",
    "DueGeneration",
    "EmployeeSchemeMember",
    "Enrolment",
    "EnrolmentEvent",
    "EnrolmentStatus",
    "EntrySource",
    "GovernmentPaidRule",
    "GradeChoice",
    "PauseReason",
    "Posting",
    "SCHEME",
    "ancestor_codes",
    "group_label",
]
