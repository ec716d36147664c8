"""Row checks for the roster import: a fast path for good rows, the shared rules for the rest.

``RowChecker.check`` first tries a fast path that only *accepts*: with caches for the parts of
an ID number and for dates it decides in a few microseconds that a row is good and what its
clean values are. Anything it is not sure about goes to the slow path, which calls the same
``services.clean_person_fields`` the person form and the API use, so every message a clerk
sees is the one the rest of the system gives. ``tests/formats/test_roster_rows.py`` checks that
whenever the fast path accepts, the slow path accepts with the very same values.

A cell holding a control character (``王\x07五``) is refused with the one rule of
``jumin.core.text.check_text``, naming the row and the column; the fast path never accepts
such a row, so the check costs one regular-expression scan of the row's cells.
"""

import datetime
import operator
import re

from jumin.core.text import TextError, check_text, export_text, has_control_characters
from jumin.people import fields
from jumin.people.fields import Kind
from jumin.people.formats.roster_columns import (
    CELL_MAX_CHARACTERS,
    FIELDS,
    FORMULA_MESSAGE,
    HEADER_FOR,
)
from jumin.people.models import Sex
from jumin.people.rules import CHECK_CHARACTERS, WEIGHTS
from jumin.people.services.persons import ACCOUNT_PATTERN, PHONE_PATTERN, clean_person_fields

# The columns of the staging table, in the order ``check`` returns them.
STAGING_FIELDS = ("row_number", "ok", *FIELDS)

SCOPE_MESSAGE = "村（社区）代码 {code} 不存在或不在您的管辖范围内"
EARLIEST_BIRTH_YEAR = 1880
ERROR_VALUE_CHARACTERS = 100

_SEX_VALUES = {"男": Sex.MALE.value, "女": Sex.FEMALE.value}
_SEX_VALUES.update({value: value for value in Sex.values})


def _choice_values(person_field) -> dict[str, str]:
    """Cell text → stored value for a choice: blank, its labels and its stored values."""
    values = {"": ""}
    values.update({str(label): value for value, label in person_field.choices.choices})
    values.update({value: value for value in person_field.choices.values})
    return values


_DATE_SHAPES = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def normalise_date_text(text: str) -> datetime.date | str:
    """``1980/1/31``, ``1980.01.31``, ``1980年1月31日``, ``19800131`` → a date; else the text.

    Spreadsheets write dates in many shapes; the person rules take ISO dates, so common
    shapes are turned into dates first and anything else reaches the rules unchanged.
    """
    stripped = text.strip()
    for shape in _DATE_SHAPES:
        match = shape.match(stripped)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                return text
    return text


def shorten(value: str) -> str:
    """The cell as the error list shows it: at most 100 characters, control characters as �
    (a NUL cannot be stored in PostgreSQL's JSON, and the message already names it)."""
    value = export_text(str(value), multiline=False)
    if len(value) > ERROR_VALUE_CHARACTERS:
        return value[:ERROR_VALUE_CHARACTERS] + f"…（共{len(value)}个字符）"
    return value


class RowChecker:
    """Checks rows of one file against the rules, for one importer's scope, on one day."""

    def __init__(self, *, columns: dict[str, int], villages, on: datetime.date):
        self.columns = columns
        self.villages = frozenset(villages)
        self.on = on
        self.needed = max(columns.values()) + 1
        self.padding = [""] * self.needed
        # A field missing from the file reads the "" appended to every row (index -1).
        self.pick = operator.itemgetter(*(columns.get(field, -1) for field in FIELDS))
        self.field_index = {field: columns.get(field, -1) for field in FIELDS}
        # Where each kind of field sits among the picked values; the ID number fixes sex and
        # birth date, every other field is checked by its kind.
        position = {name: index for index, name in enumerate(FIELDS)}
        imported = [(position[f.name], f) for f in fields.IMPORTED]
        self._id_at = position["id_number"]
        self._sex_at = position["sex"]
        self._birth_at = position["birth_date"]
        self._names = [(i, f.max_length) for i, f in imported if f.kind == Kind.NAME]
        self._villages = [i for i, f in imported if f.kind == Kind.VILLAGE]
        self._texts = [
            (i, f.max_length) for i, f in imported if f.kind in (Kind.TEXT, Kind.HOUSEHOLD)
        ]
        self._choices = [
            (i, _choice_values(f)) for i, f in imported if f.kind == Kind.CHOICE and not f.identity
        ]
        self._phones = [i for i, f in imported if f.kind == Kind.PHONE]
        self._accounts = [i for i, f in imported if f.kind == Kind.ACCOUNT]
        self._dates = [i for i, f in imported if f.kind == Kind.DATE and not f.identity]
        self._date_fields = {f.name for f in fields.IMPORTED if f.kind == Kind.DATE}
        self._address_sums: dict[str, int] = {}
        self._birth_parts: dict[str, tuple[int, str] | None] = {}
        self._order_parts: dict[str, tuple[int, str] | None] = {}
        self._dates_seen: dict[str, str | None] = {}
        self._on_iso = on.isoformat()

    # ------------------------------------------------------------------ the one entry point

    def check(self, number: int, cells: list[str], problems: dict | None = None):
        """(staging row or None, [(row, column header, value, message), ...]).

        A staging row is returned for every row with a readable ID number, with ``ok`` 0 when
        the row has errors, so duplicates in the file are found among all rows.
        """
        missing = self.needed - len(cells)
        if missing > 0:
            cells.extend(self.padding[:missing])
        cells.append("")
        values = self.pick(cells)
        if problems is None:
            row = self._fast(number, values)
            if row is not None:
                return row, ()
        return self.check_slowly(number, values, problems)

    # ------------------------------------------------------------------ fast path

    def _fast(self, number: int, values: tuple):
        """The clean staging row if this row is surely good, else None (then: slow path).

        Written flat, with caches, because it runs once per row of million-row files; each
        kind of field is one loop over the positions of the fields of that kind.
        """
        id_raw = values[self._id_at]
        if len(id_raw) != 18 or sum(map(len, values)) > CELL_MAX_CHARACTERS:
            return None
        joined = "".join(values)
        # isprintable() (a C loop) is false for every control character: the rule's own
        # scan runs only for the rare row with a tab, a line break or the like
        if not joined.isprintable() and has_control_characters(joined):
            return None
        address = self._address_sums.get(id_raw[:6])
        if address is None:
            address = self._address_sum(id_raw[:6])
            if address is None:
                return None
        birth_part = self._birth_parts.get(id_raw[6:14], False)
        if birth_part is False:
            birth_part = self._birth_part(id_raw[6:14])
        order_part = self._order_parts.get(id_raw[14:17], False)
        if order_part is False:
            order_part = self._order_part(id_raw[14:17])
        if birth_part is None or order_part is None:
            return None
        if CHECK_CHARACTERS[(address + birth_part[0] + order_part[0]) % 11] != id_raw[17]:
            return None
        birth_iso = birth_part[1]
        id_sex = order_part[1]
        sex = values[self._sex_at]
        if sex and _SEX_VALUES.get(sex.strip()) != id_sex:
            return None
        birth = values[self._birth_at]
        if birth:
            known = self._dates_seen.get(birth, False)
            if known is False:
                known = self._date_iso(birth)
            if known != birth_iso:
                return None
        clean = list(values)
        clean[self._sex_at] = id_sex
        clean[self._birth_at] = birth_iso
        for index, limit in self._names:
            name = values[index].strip()
            if not name or len(name) > limit or not (name.isalpha() or _has_no_digit(name)):
                return None
            if name[:1] == "=":
                return None
            clean[index] = name
        for index in self._villages:
            village = values[index].strip()
            if village not in self.villages:
                return None
            clean[index] = village
        for index, limit in self._texts:
            text = values[index].strip()
            if len(text) > limit or text[:1] == "=":
                return None
            clean[index] = text
        for index, choices in self._choices:
            choice = choices.get(values[index].strip())
            if choice is None:
                return None
            clean[index] = choice
        for index in self._phones:
            phone = values[index]
            if phone and not (len(phone) == 11 and phone[0] == "1" and phone.isdecimal()):
                phone = phone.strip().replace(" ", "")
                if phone and not PHONE_PATTERN.match(phone):
                    return None
                clean[index] = phone
        for index in self._accounts:
            account = values[index]
            if account and not (5 < len(account) < 33 and account.isalnum() and account.isascii()):
                account = account.strip().replace(" ", "")
                if account and not ACCOUNT_PATTERN.match(account):
                    return None
                clean[index] = account
        for index in self._dates:
            day = values[index]
            if day:
                day = self._date_iso(day)
                if day is None or day > self._on_iso or day < birth_iso:
                    return None
                clean[index] = day
            else:
                clean[index] = None
        return (number, 1, *clean)

    def _address_sum(self, digits: str) -> int | None:
        if not (digits.isascii() and digits.isdigit()):
            return None
        total = sum(int(d) * w for d, w in zip(digits, WEIGHTS[:6], strict=True))
        self._address_sums[digits] = total
        return total

    def _birth_part(self, digits: str) -> tuple[int, str] | None:
        part = None
        if digits.isascii() and digits.isdigit():
            try:
                day = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            except ValueError:
                day = None
            if day is not None and day <= self.on and day.year >= EARLIEST_BIRTH_YEAR:
                total = sum(int(d) * w for d, w in zip(digits, WEIGHTS[6:14], strict=True))
                part = (total, day.isoformat())
        self._birth_parts[digits] = part
        return part

    def _order_part(self, digits: str) -> tuple[int, str] | None:
        part = None
        if digits.isascii() and digits.isdigit():
            total = sum(int(d) * w for d, w in zip(digits, WEIGHTS[14:], strict=True))
            part = (total, Sex.MALE.value if int(digits[2]) % 2 else Sex.FEMALE.value)
        self._order_parts[digits] = part
        return part

    def _date_iso(self, text: str) -> str | None:
        known = self._dates_seen.get(text, False)
        if known is not False:
            return known
        value = normalise_date_text(text)
        iso = value.isoformat() if isinstance(value, datetime.date) else None
        self._dates_seen[text] = iso
        return iso

    # ------------------------------------------------------------------ slow path

    def check_slowly(self, number: int, values: tuple, problems: dict | None = None):
        """The shared rules, plus what only an import can get wrong (formulas, huge cells)."""
        raw = dict(zip(FIELDS, values, strict=True))
        if not any(str(value).strip() for value in values):
            return None, ()
        cell_errors = self._cell_problems(raw, problems)
        data = {
            field: "" if field in cell_errors else value
            for field, value in raw.items()
            if field in self.columns
        }
        for field in self._date_fields:
            if data.get(field):
                data[field] = normalise_date_text(data[field])
        clean, errors = clean_person_fields(data, on=self.on)
        if "village_id" not in errors and "village_id" not in cell_errors:
            if clean["village_id"] not in self.villages:
                errors["village_id"] = SCOPE_MESSAGE.format(code=clean["village_id"])
        errors = {field: message for field, message in errors.items() if field in self.columns}
        errors.update(cell_errors)
        if not errors:
            return self._staging_row(number, clean, ok=1), ()
        listed = [
            (number, HEADER_FOR[field], shorten(raw[field]), message)
            for field in FIELDS
            if (message := errors.get(field))
        ]
        if "id_number" in errors:
            return None, listed
        return self._staging_row(number, clean, ok=0), listed

    def _cell_problems(self, raw: dict, problems: dict | None) -> dict[str, str]:
        found: dict[str, str] = {}
        for field, value in raw.items():
            if field not in self.columns:
                continue
            index = self.field_index[field]
            if problems and index in problems:
                found[field] = problems[index]
            elif len(value) > CELL_MAX_CHARACTERS:
                found[field] = (
                    f"内容过长（{len(value)}个字符），每格最多{CELL_MAX_CHARACTERS}个字符"
                )
            elif value.lstrip().startswith("="):
                found[field] = FORMULA_MESSAGE
            else:
                try:
                    # what would be stored: the trimmed text (a trailing line break is harmless)
                    check_text(value.strip())
                except TextError as error:
                    found[field] = error.message
        return found

    @staticmethod
    def _staging_row(number: int, clean: dict, *, ok: int) -> tuple:
        if not ok:  # kept for finding duplicates in the file: its ID number alone
            return (
                number,
                0,
                *(
                    clean["id_number"] if f.name == "id_number" else f.blank
                    for f in fields.IMPORTED
                ),
            )
        return (number, 1, *(_staged(f, clean[f.name]) for f in fields.IMPORTED))


def _staged(person_field, value):
    if person_field.kind == Kind.DATE:
        return value.isoformat() if value else None
    return value


def _has_no_digit(name: str) -> bool:
    return not any(character.isdigit() for character in name)
