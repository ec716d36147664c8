"""The roster's columns (the importable fields of ``jumin.people.fields``): canonical Chinese
headers, accepted aliases, and per-cell limits."""

import re

from jumin.people import fields

# (field in code, canonical header) in the spec's order: the template's and the samples'.
COLUMNS: tuple[tuple[str, str], ...] = tuple((f.name, f.roster_header) for f in fields.IMPORTED)
FIELDS: tuple[str, ...] = tuple(field for field, _ in COLUMNS)
HEADER_FOR: dict[str, str] = dict(COLUMNS)
REQUIRED_FIELDS: tuple[str, ...] = tuple(f.name for f in fields.IMPORTED if f.required)
# Other names the same columns go by in exports from other systems and hand-made rosters.
ALIASES: dict[str, tuple[str, ...]] = {f.name: f.aliases for f in fields.IMPORTED}

_PUNCTUATION = str.maketrans({"（": "(", "）": ")", "＊": "", "*": "", "：": "", ":": ""})
_SPACES = re.compile(r"\s+")


def normalise_header(text: str) -> str:
    """``" *村（社区）代码 "`` → ``"村(社区)代码"``: no spaces, half-width brackets, no marks."""
    text = str(text or "").replace("\ufeff", "").translate(_PUNCTUATION)
    return _SPACES.sub("", text).lower()


FIELD_FOR_HEADER: dict[str, str] = {}
for _field, _header in COLUMNS:
    FIELD_FOR_HEADER[normalise_header(_header)] = _field
    for _alias in ALIASES.get(_field, ()):
        FIELD_FOR_HEADER[normalise_header(_alias)] = _field

# A cell longer than this is refused outright, whatever the column ("huge cells").
CELL_MAX_CHARACTERS = 200

FORMULA_MESSAGE = "单元格含公式，请粘贴为数值"


def column_letter(index: int) -> str:
    """0 → ``A``, 27 → ``AB`` (how Excel names the column)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
