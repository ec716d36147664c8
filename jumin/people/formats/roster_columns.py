"""The roster's columns: canonical Chinese headers, accepted aliases, and per-cell limits."""

import re

# (field in code, canonical header) in the order of the template and of helper scripts.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id_number", "身份证号"),
    ("name", "姓名"),
    ("sex", "性别"),
    ("birth_date", "出生日期"),
    ("village_id", "村代码"),
    ("household_number", "户号"),
    ("relation_to_head", "与户主关系"),
    ("hukou_type", "户籍类型"),
    ("phone", "联系电话"),
    ("passbook_number", "存折账号"),
    ("social_security_card_number", "社保卡号"),
    ("death_date", "死亡日期"),
)
FIELDS: tuple[str, ...] = tuple(field for field, _ in COLUMNS)
HEADER_FOR: dict[str, str] = dict(COLUMNS)
REQUIRED_FIELDS: tuple[str, ...] = ("id_number", "name", "village_id")

# Other names the same columns go by in exports from other systems and hand-made rosters.
ALIASES: dict[str, tuple[str, ...]] = {
    "id_number": (
        "公民身份号码",
        "身份证号码",
        "身份证",
        "证件号码",
        "身份证件号码",
        "居民身份证号码",
        "居民身份证号",
    ),
    "name": ("姓名", "参保人姓名", "居民姓名"),
    "sex": ("性别",),
    "birth_date": ("出生年月日", "出生年月", "生日"),
    "village_id": (
        "村(社区)代码",
        "村社区代码",
        "村(居)代码",
        "村居代码",
        "村编码",
        "村(社区)编码",
        "社区代码",
        "村级代码",
        "村(社区)区划代码",
        "所属村代码",
    ),
    "household_number": ("户编号", "户口簿编号", "家庭编号", "户口号"),
    "relation_to_head": ("与户主的关系", "家庭关系", "关系"),
    "hukou_type": ("户口性质", "户籍性质", "户口类型"),
    "phone": ("手机号", "手机号码", "电话", "电话号码", "联系方式", "手机"),
    "passbook_number": ("存折号", "存折帐号", "银行账号", "银行帐号", "银行卡号", "存折号码"),
    "social_security_card_number": ("社会保障卡号", "社保卡号码", "社会保障卡号码"),
    "death_date": ("死亡时间",),
}

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
# Columns the person rules would silently cut; the import refuses instead of cutting.
FIELD_MAX_CHARACTERS = {"household_number": 30, "relation_to_head": 20}

FORMULA_MESSAGE = "单元格含公式，请粘贴为数值"


def column_letter(index: int) -> str:
    """0 → ``A``, 27 → ``AB`` (how Excel names the column)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
