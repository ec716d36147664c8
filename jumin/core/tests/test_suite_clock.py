"""``JUMIN_TEST_TODAY`` moves the clock of the whole suite (jumin/testing/clock.py)."""

import datetime
import os
import zoneinfo

import pytest
from django.utils import timezone

from jumin.testing.clock import ENVIRONMENT_VARIABLE, suite_moment

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_a_day_means_ten_in_the_morning_of_that_day_in_the_time_zone():
    moment = suite_moment("2028-02-29", time_zone="Asia/Shanghai")
    assert moment == datetime.datetime(2028, 2, 29, 10, tzinfo=SHANGHAI)
    assert moment.astimezone(datetime.UTC).date() == datetime.date(2028, 2, 29)


def test_a_moment_is_taken_as_given():
    moment = suite_moment(" 2027-12-31T23:59:30 ", time_zone="Asia/Shanghai")
    assert moment == datetime.datetime(2027, 12, 31, 23, 59, 30, tzinfo=SHANGHAI)
    utc = suite_moment("2027-01-31T16:30:00+00:00", time_zone="Asia/Shanghai")
    assert utc.astimezone(SHANGHAI).date() == datetime.date(2027, 2, 1)


@pytest.mark.parametrize("value", ["2028-02-30", "tomorrow", "31/01/2027", "2027"])
def test_a_mistyped_day_stops_the_suite_instead_of_running_on_the_real_date(value):
    with pytest.raises(ValueError):
        suite_moment(value, time_zone="Asia/Shanghai")


def test_the_suite_runs_on_the_day_asked_for(_suite_clock):
    """With the switch set, every test sees that day; without it, the real clock runs."""
    asked = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    assert (_suite_clock is None) == (not asked)
    if asked:
        assert timezone.localdate() == _suite_clock.astimezone(SHANGHAI).date()
        assert datetime.date.today() == _suite_clock.date()


def test_property_tests_have_no_deadline_and_no_too_slow_check():
    from hypothesis import HealthCheck, settings

    assert settings.default.deadline is None
    assert HealthCheck.too_slow in settings.default.suppress_health_check
