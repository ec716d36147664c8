"""The suite's clock: ``JUMIN_TEST_TODAY=2028-02-29 make test`` runs every test on that day.

No test may depend on the day the suite happens to run: dates come from the test (``on=``,
``time_machine.travel``). Moving the whole suite to awkward days (the end of a month, the
29th of February, the last seconds of a year) shows the tests that still read the calendar.
The root ``conftest.py`` travels there for the whole session; tests that travel themselves
still do.
"""

import datetime
import os
import zoneinfo

ENVIRONMENT_VARIABLE = "JUMIN_TEST_TODAY"


def suite_moment(value: str, *, time_zone: str) -> datetime.datetime:
    """``"2028-02-29"`` → 10:00 that day in ``time_zone`` (a working hour, the same date in
    UTC); ``"2027-12-31T23:59:30"`` → that moment, for the edge of a day or a year.

    ``ValueError`` for anything else, so a mistyped switch stops the suite instead of
    silently running it on the real date.
    """
    text = value.strip()
    moment = datetime.datetime.fromisoformat(text)
    if len(text) == len("2028-02-29"):
        moment = moment.replace(hour=10)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(time_zone))
    return moment


def requested_moment(*, time_zone: str) -> datetime.datetime | None:
    """The moment ``JUMIN_TEST_TODAY`` asks for, or None when it is not set."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    return suite_moment(value, time_zone=time_zone) if value else None
