"""Fixtures shared by the medical tests (enrolment and financing: H4)."""

from jumin.medical.tests.enrolment_testing import financing  # noqa: F401
