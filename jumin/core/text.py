"""The one rule for text that staff, files and partners send us, and safe text for exports.

Every text input path — web forms, the JSON API, the roster, region and employee-list imports,
bank, statement and tax files, query parameters — refuses control characters with
``check_text``: a NUL byte cannot be stored by PostgreSQL, and a character such as ``\\x07``
(BEL) makes openpyxl refuse to write the cell, so one stored name would break the county's
Excel export for good. Tab, line feed and carriage return are allowed only where the field
holds several lines (a note, an address typed in a text area).

Exports never trust what is stored (rows written before this rule existed may hold such
characters): ``export_text`` replaces every control character by U+FFFD (�), which Excel and
CSV readers show as a visible mark, so the clerk sees where the bad character was.
"""

import re

REPLACEMENT = "\ufffd"
MULTILINE_ALLOWED = frozenset("\t\n\r")

# C0 controls, DEL, C1 controls (category Cc) and lone surrogates (Cs, only reachable through
# JSON "\ud800" escapes or broken decoders): nothing we store may hold one.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class TextError(ValueError):
    """A text holds a character we refuse; ``message`` says which one, in Chinese."""

    def __init__(self, message: str, *, position: int, character: str):
        super().__init__(message)
        self.message = message
        self.position = position
        self.character = character


def first_control_character(value: str, *, multiline: bool = False) -> int | None:
    """The 0-based position of the first refused character in ``value``, or None."""
    for match in _CONTROL.finditer(value):
        if multiline and match.group() in MULTILINE_ALLOWED:
            continue
        return match.start()
    return None


def describe(character: str) -> str:
    """``"\\x07"`` → ``"U+0007"``: how a message names an invisible character."""
    return f"U+{ord(character):04X}"


def check_text(value: str, *, multiline: bool = False) -> str:
    """``value`` unchanged, or ``TextError`` naming the first control character in it.

    The message reads "不能包含控制字符（第3个字符 U+0007）"; callers put the field name or
    the file's row and column in front of it.
    """
    if not isinstance(value, str):
        return value
    position = first_control_character(value, multiline=multiline)
    if position is None:
        return value
    character = value[position]
    raise TextError(
        f"不能包含控制字符（第{position + 1}个字符 {describe(character)}）",
        position=position,
        character=character,
    )


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    return (
        isinstance(value, str) and first_control_character(value, multiline=multiline) is not None
    )


def export_text(value: str, *, multiline: bool = True) -> str:
    """``value`` with every control character replaced by U+FFFD, for Excel, CSV and PDF.

    Line breaks and tabs survive by default (a cell may hold several lines); surrogates and
    every other control character become �.
    """
    if not isinstance(value, str) or _CONTROL.search(value) is None:
        return value
    return _CONTROL.sub(
        lambda match: (
            match.group() if multiline and match.group() in MULTILINE_ALLOWED else REPLACEMENT
        ),
        value,
    )


def normalise_digits(value: str) -> str:
    """Full-width digits (``１２３``) to ASCII; every other character is left alone.

    ``str.isdigit()`` is true for ``²`` and ``①`` too, and ``int("²")`` then fails: check
    digits with ``is_ascii_digits`` after this, never with ``isdigit()``.
    """
    return value.translate(_FULL_WIDTH_DIGITS)


def is_ascii_digits(value: str) -> bool:
    """True when ``value`` is one or more of 0-9 (``"²"``, ``"١"`` and ``""`` are not)."""
    return bool(value) and value.isascii() and value.isdigit()


_FULL_WIDTH_DIGITS = {0xFF10 + digit: ord("0") + digit for digit in range(10)}
