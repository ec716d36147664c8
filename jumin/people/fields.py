"""The fields of a person, declared once.

Every reader of a person's fields takes its list from ``PERSON_FIELDS`` here, filtered by one
attribute, so a field added here reaches all of them:

- the rules every channel shares (``services.persons.clean_person_fields``) and the writes;
- the page forms (``web/forms.py``: register, edit) and the detail page's facts;
- the API schemas (``api/schemas.py``: ``PersonIn``, ``PersonPatch``, ``PersonOut``,
  ``PersonListItem``) and their answers;
- the roster import: its columns, header aliases, row checks and set-based write, the blank
  template and the sample files;
- the Excel export, the audit snapshot and the change history's labels and masking;
- the demo generator's rows and the registry benchmark's roster file.

``tests/test_fields.py`` proves each reader's list is the spec's filtered list.
"""

import datetime
import enum
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jumin.people.models import HukouType, Person, Sex


class Kind(enum.StrEnum):
    """What a field holds, which decides how every reader checks, stores and shows it."""

    ID_NUMBER = "id_number"  # GB 11643; sex and birth date follow from it
    NAME = "name"  # a person's name: no digits
    TEXT = "text"  # free text of at most ``max_length`` characters
    CHOICE = "choice"  # one of ``choices``, given as its stored value or its Chinese label
    DATE = "date"  # a day of the person's life: not before birth, not after today
    VILLAGE = "village"  # a 12-digit village code in the acting user's scope
    HOUSEHOLD = "household"  # a household number in the person's village (made when new)
    PHONE = "phone"  # a mobile number or a landline with its area code
    ACCOUNT = "account"  # a passbook or card number: 6 to 32 letters or digits


# Kinds whose text looks like a number: kept as text in Excel, so long codes stay whole.
DIGIT_KINDS = frozenset({Kind.ID_NUMBER, Kind.VILLAGE, Kind.HOUSEHOLD, Kind.PHONE, Kind.ACCOUNT})


@dataclass(frozen=True)
class PersonField:
    """One field of a person and where it goes.

    ``name`` is the field's name in the services, the forms, the import and the audit
    snapshot's reader; ``column`` the model attribute it is stored in (``household_number``
    is stored as the household's id). ``identity`` fields follow from the ID number: given
    when registering (and checked against it), never edited. ``input_max_length`` only
    guards a form or API field against absurd input; the services give the precise message
    for anything shorter.
    """

    name: str
    label: str
    kind: Kind
    max_length: int | None = None
    input_max_length: int | None = None
    required: bool = False
    identity: bool = False
    editable: bool = True
    on_create_form: bool = True
    importable: bool = True
    exported: bool = True
    audited: bool = True
    listed: bool = False  # in the API's search results as well as in the full record
    masked_as: str | None = None  # ``access.masked_for`` kind for roles without the full view
    choices: type | None = None
    header: str = ""  # the roster's canonical header; the label when empty
    aliases: tuple[str, ...] = ()  # other headers the same roster column goes by
    api_name: str = ""  # the API's name; ``name`` when empty
    help_text: str = ""  # under the form field
    api_help: str = ""  # the API request field's description
    example: str = ""  # the blank template's example row

    @property
    def column(self) -> str:
        return "household_id" if self.kind == Kind.HOUSEHOLD else self.name

    @property
    def roster_header(self) -> str:
        return self.header or str(self.label)

    @property
    def api_field(self) -> str:
        return self.api_name or self.name

    @property
    def changes_after_registration(self) -> bool:
        return self.editable and not self.identity

    @property
    def blank(self):
        """The value of the field left empty (a date has none, text is "")."""
        return None if self.kind == Kind.DATE else ""


PERSON_FIELDS: tuple[PersonField, ...] = (
    PersonField(
        "id_number",
        _("身份证号"),
        Kind.ID_NUMBER,
        max_length=18,
        input_max_length=64,
        required=True,
        identity=True,
        listed=True,
        masked_as="id_number",
        aliases=(
            "公民身份号码",
            "身份证号码",
            "身份证",
            "证件号码",
            "身份证件号码",
            "居民身份证号码",
            "居民身份证号",
        ),
        help_text=_("18位；最后一位可以是 X。15位的老号码会自动转换"),
        api_help=_("18位身份证号（15位旧号自动转换）"),
        example="341125198001010015",
    ),
    PersonField(
        "name",
        _("姓名"),
        Kind.NAME,
        max_length=50,
        input_max_length=200,
        required=True,
        listed=True,
        aliases=("姓名", "参保人姓名", "居民姓名"),
        example="张三",
    ),
    PersonField(
        "sex",
        _("性别"),
        Kind.CHOICE,
        input_max_length=8,
        identity=True,
        listed=True,
        choices=Sex,
        aliases=("性别",),
        help_text=_("可不填；填了会与身份证号核对"),
        api_help=_("可不填；填则须与身份证号一致"),
        example="男",
    ),
    PersonField(
        "birth_date",
        _("出生日期"),
        Kind.DATE,
        identity=True,
        listed=True,
        aliases=("出生年月日", "出生年月", "生日"),
        help_text=_("可不填；填了会与身份证号核对"),
        api_help=_("可不填；填则须与身份证号一致"),
        example="1980-01-01",
    ),
    PersonField(
        "village_id",
        _("村（社区）"),
        Kind.VILLAGE,
        max_length=12,
        input_max_length=64,
        required=True,
        listed=True,
        header="村代码",
        aliases=(
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
        api_name="village_code",
        api_help=_("12位村（社区）代码"),
        example="341125100001",
    ),
    PersonField(
        "household_number",
        _("户号"),
        Kind.HOUSEHOLD,
        max_length=30,
        input_max_length=30,
        aliases=("户编号", "户口簿编号", "家庭编号", "户口号"),
        help_text=_("可不填"),
        example="0001",
    ),
    PersonField(
        "relation_to_head",
        _("与户主关系"),
        Kind.TEXT,
        max_length=20,
        input_max_length=20,
        aliases=("与户主的关系", "家庭关系", "关系"),
        help_text=_("如：户主、配偶、子、女"),
        example="户主",
    ),
    PersonField(
        "hukou_type",
        _("户籍类型"),
        Kind.CHOICE,
        input_max_length=20,
        choices=HukouType,
        aliases=("户口性质", "户籍性质", "户口类型"),
        example="农业",
    ),
    PersonField(
        "phone",
        _("联系电话"),
        Kind.PHONE,
        max_length=20,
        input_max_length=64,
        listed=True,
        masked_as="phone",
        aliases=("手机号", "手机号码", "电话", "电话号码", "联系方式", "手机"),
        help_text=_("11位手机号，或带区号的固定电话"),
        example="13912345678",
    ),
    PersonField(
        "passbook_number",
        _("存折账号"),
        Kind.ACCOUNT,
        max_length=32,
        input_max_length=64,
        exported=False,
        masked_as="account",
        aliases=("存折号", "存折帐号", "银行账号", "银行帐号", "银行卡号", "存折号码"),
        example="6228480012345678",
    ),
    PersonField(
        "passbook_bank",
        _("存折开户行"),
        Kind.TEXT,
        max_length=20,
        input_max_length=20,
        aliases=("开户行", "开户银行", "存折开户银行", "开户行名称"),
        help_text=_("银行代扣按开户行分批，如：农商行"),
        api_help=_("存折的开户银行，银行代扣按它分批"),
        example="农商行",
    ),
    PersonField(
        "social_security_card_number",
        _("社保卡号"),
        Kind.ACCOUNT,
        max_length=32,
        input_max_length=64,
        exported=False,
        masked_as="account",
        aliases=("社会保障卡号", "社保卡号码", "社会保障卡号码"),
    ),
    PersonField(
        "death_date",
        _("死亡日期"),
        Kind.DATE,
        on_create_form=False,
        listed=True,
        aliases=("死亡时间",),
        help_text=_("人员去世时填写"),
    ),
)

FIELD_BY_NAME: dict[str, PersonField] = {field.name: field for field in PERSON_FIELDS}


def field(name: str) -> PersonField:
    return FIELD_BY_NAME[name]


# --------------------------------------------------------------------------- the readers' lists

# Given when registering a person (API POST; the import, for a person not yet registered).
REGISTERED = tuple(f for f in PERSON_FIELDS if f.identity or f.editable)
# The register page (it asks no date of death: that is set when it happens).
ON_CREATE_FORM = tuple(f for f in REGISTERED if f.on_create_form)
# What staff may change after registration (edit page, API PATCH, the import's updates).
EDITABLE = tuple(f for f in PERSON_FIELDS if f.changes_after_registration)
IMPORTED = tuple(f for f in PERSON_FIELDS if f.importable)
REQUIRED = tuple(f for f in PERSON_FIELDS if f.required)
EXPORTED = tuple(f for f in PERSON_FIELDS if f.exported)
AUDITED = tuple(f for f in PERSON_FIELDS if f.audited)
LISTED = tuple(f for f in PERSON_FIELDS if f.listed)


# --------------------------------------------------------------------------- values


def stored_value(person: Person, person_field: PersonField):
    """The field's value as the services name it (a household by its number)."""
    if person_field.kind == Kind.HOUSEHOLD:
        return person.household.number if person.household_id else ""
    return getattr(person, person_field.name)


def snapshot(person: Person) -> dict:
    """The audited columns of ``person``, as the audit trail stores them."""
    return {f.column: getattr(person, f.column) for f in AUDITED}


def choice_label(person_field: PersonField, value) -> str:
    """The Chinese label of a stored choice ("male" → 男); the value itself if unknown."""
    if not value:
        return ""
    return str(dict(person_field.choices.choices).get(value, value))


def choice_value(person_field: PersonField, text: str) -> str:
    """A choice typed as its stored value or its label (男, 农业) → the stored value; other
    text comes back unchanged, for the rules to refuse."""
    text = str(text).strip()
    for value, label in person_field.choices.choices:
        if text in (value, str(label)):
            return value
    return text


def roster_text(person_field: PersonField, value) -> str:
    """A value as a roster cell holds it: a choice by its label, a date in ISO form."""
    if value in (None, ""):
        return ""
    if person_field.kind == Kind.CHOICE:
        return choice_label(person_field, value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
