"""Years, dates, ids and paging typed by a person: one parser each, with bounds and a message.

Pages, query strings and API schemas read these values through here, so a wrong value is a
Chinese message and never a server error:

- ``int()`` of a year with 5 000 digits raises ``ValueError`` in Python 3.11 (the digit
  limit), and a year past 9999 cannot become a ``date``: years are 1900–2100.
- ``date(9999, 12, 31) + timedelta(days=1)`` raises ``OverflowError``, and code adds a day or a
  month to dates all the time (a search "to" a day, a deadline): dates are 1900-01-01 to
  2199-12-31, far from both ends of what ``datetime.date`` can hold.
- ``str.isdigit()`` accepts ``²``, which ``int()`` then refuses: digits are checked with
  ``jumin.core.text.is_ascii_digits``.
- An id or offset beyond 2⁶³ − 1 overflows the database's 64-bit integers.
"""

import datetime

from jumin.core.text import is_ascii_digits, normalise_digits

YEAR_MIN = 1900
YEAR_MAX = 2100
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2199, 12, 31)
# The largest value a BigAutoField holds on SQLite and PostgreSQL.
MAX_ID = 2**63 - 1
# Paging: no list is read this deep; a bigger offset is a mistake, not a page.
MAX_OFFSET = 10_000_000
# A value longer than this is not a year, a date or an id; refused before any conversion.
MAX_NUMBER_LENGTH = 20


class InputError(ValueError):
    """A value we cannot accept; ``message`` says why, in Chinese (like ``MoneyError``).

    ``field`` names the parameter when the caller knows it; a view may let the error rise and
    ``InputSafetyMiddleware`` answers it (400 page, or 422 JSON under ``/api/``).
    """

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


def _clean(value) -> str:
    return normalise_digits(str(value).strip())


def parse_year(value, *, label: str = "年度") -> int:
    """``"2026"`` → 2026; ``InputError`` for anything that is not a year from 1900 to 2100."""
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        raise InputError(f"请填写{label}")
    if isinstance(value, int):
        year = value
    else:
        text = _clean(value)
        if len(text) > MAX_NUMBER_LENGTH or not is_ascii_digits(text):
            raise InputError(f"{label}“{text[:MAX_NUMBER_LENGTH]}”不是年份，应写成 2026")
        year = int(text)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise InputError(f"{label}应在 {YEAR_MIN} 至 {YEAR_MAX} 之间")
    return year


def year_or_default(value, *, default: int, label: str = "年度") -> int:
    """A year from a query string, or ``default`` when the parameter is empty or absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    return parse_year(value, label=label)


def check_date(value: datetime.date, *, label: str = "日期") -> datetime.date:
    """``value`` unchanged, or ``InputError`` when it lies outside 1900-01-01 … 2199-12-31."""
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise InputError(f"{label}应在 {DATE_MIN:%Y-%m-%d} 至 {DATE_MAX:%Y-%m-%d} 之间")
    return value


def parse_date(value, *, label: str = "日期") -> datetime.date:
    """``"2026-03-01"`` (or a ``date``) → a date within the accepted range; else ``InputError``."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return check_date(value, label=label)
    text = _clean(value or "")
    if not text:
        raise InputError(f"请填写{label}")
    try:
        day = datetime.date.fromisoformat(text) if len(text) <= MAX_NUMBER_LENGTH else None
    except ValueError:
        day = None
    if day is None:
        raise InputError(f"{label}“{text[:MAX_NUMBER_LENGTH]}”不正确，应写成 2026-01-31")
    return check_date(day, label=label)


def parse_id(value) -> int | None:
    """A database id from a URL or query string: an int from 1 to 2⁶³ − 1, or ``None``.

    Callers treat ``None`` like an unknown id (404): a wrong id and a missing one look alike.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value or "").strip()
        if len(text) > MAX_NUMBER_LENGTH or not is_ascii_digits(text):
            return None
        number = int(text)
    return number if 1 <= number <= MAX_ID else None


def county_code(value, *, label: str = "县级区划代码") -> str:
    """The six digits of the county that ``value`` names or lies in; else ``InputError``.

    ``"341125"``, ``"341125000000"`` and the 12-digit code of any township or village inside
    the county (``"341125100001"``) all give ``"341125"``: the prefix every region code of the
    county starts with. A province or city (``"340000"``, ``"341100"``), a code of another
    length or anything but ASCII digits is refused. Its region code is
    ``county_code(value) + "000000"``.
    """
    text = _clean(value if value is not None else "")
    if len(text) not in (6, 12) or not is_ascii_digits(text):
        raise InputError(
            f"{label}“{text[:MAX_NUMBER_LENGTH]}”不正确，应为6位县级代码，如 341125",
            field="county",
        )
    if text[2:4] == "00" or text[4:6] == "00":
        raise InputError(
            f"{label}“{text}”是省或市的代码，应为6位县级代码，如 341125", field="county"
        )
    return text[:6]
