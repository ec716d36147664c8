from jumin.medical.models.enrolment import CoverageStatus, MedicalEnrolment
from jumin.medical.models.hospitals import Hospital, HospitalLevel

__all__ = ["CoverageStatus", "Hospital", "HospitalLevel", "MedicalEnrolment"]
