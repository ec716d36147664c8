"""The import's fast row check agrees with the shared person rules on every row it accepts."""

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jumin.people.formats.roster_columns import FIELDS, HEADER_FOR
from jumin.people.formats.roster_rows import STAGING_FIELDS, RowChecker, normalise_date_text
from jumin.people.rules import check_character
from jumin.people.services import clean_person_fields

TODAY = datetime.date(2026, 11, 28)
VILLAGES = ["341125100001", "341125100002"]
ALL_COLUMNS = {field: index for index, field in enumerate(FIELDS)}


def checker(columns=None) -> RowChecker:
    return RowChecker(columns=columns or ALL_COLUMNS, villages=VILLAGES, on=TODAY)


def id_number(birth: datetime.date, order: int) -> str:
    first17 = f"341125{birth:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)


births = st.dates(min_value=datetime.date(1870, 1, 1), max_value=datetime.date(2030, 12, 31))
orders = st.integers(min_value=0, max_value=999)


@st.composite
def id_texts(draw):
    birth, order = draw(births), draw(orders)
    number = id_number(birth, order)
    variant = draw(
        st.sampled_from(
            ["plain", "plain", "lower", "spaced", "bad_check", "short", "junk", "fifteen", "wide"]
        )
    )
    if variant == "lower":
        return number.lower()
    if variant == "spaced":
        return f" {number[:6]} {number[6:]} "
    if variant == "bad_check":
        return number[:17] + draw(st.sampled_from("0123456789X"))
    if variant == "short":
        return number[: draw(st.integers(0, 17))]
    if variant == "junk":
        return draw(st.text(max_size=20))
    if variant == "fifteen":
        return f"341125{birth:%y%m%d}{order:03d}"
    if variant == "wide":
        return number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return number


def cell(*options):
    return st.one_of(st.sampled_from(options), st.text(max_size=8))


@st.composite
def rows(draw):
    number = draw(id_texts())
    birth = number[6:14]
    iso_birth = f"{birth[:4]}-{birth[4:6]}-{birth[6:]}" if len(birth) == 8 else ""
    cells = {
        "id_number": number,
        "name": draw(cell("张三", " 李四 ", "", "王5", "=A1", "阿依古丽·买买提", "欧阳" * 30)),
        "sex": draw(cell("", "男", "女", "male", "female", " 女 ", "未知")),
        "birth_date": draw(
            cell("", iso_birth, iso_birth.replace("-", "/"), "1980-02-30", "19500101", " ")
        ),
        "village_id": draw(
            cell("341125100001", " 341125100002 ", "341125100099", "34112510000", "")
        ),
        "household_number": draw(cell("", "0001", "H-12", "1" * 31)),
        "relation_to_head": draw(cell("", "户主", "子女", "关系" * 11)),
        "hukou_type": draw(cell("", "农业", "非农业", "居民户口", "agricultural", "城镇")),
        "phone": draw(cell("", "13912345678", "0550-1234567", "139 1234 5678", "12345")),
        "passbook_number": draw(cell("", "6228480012345678", "abc", "62-28")),
        "passbook_bank": draw(cell("", "农商行", " 邮储银行 ", "=A1", "银行" * 11)),
        "social_security_card_number": draw(cell("", "A1234567", "12345")),
        "death_date": draw(cell("", "2020-01-01", "2099-01-01", "1900-01-01", "2020/1/1", "x")),
    }
    # a field added to the spec without a strategy here still gets arbitrary text
    return [cells[field] if field in cells else draw(st.text(max_size=8)) for field in FIELDS]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows())
def test_fast_check_accepts_only_what_the_rules_accept_with_the_same_values(cells):
    fast_checker = checker()
    fast = fast_checker.check(7, list(cells))
    values = tuple(cells)
    slow = fast_checker.check_slowly(7, values)
    assert fast == slow


def cells_of(**values) -> list[str]:
    """A row of the roster in the columns' order, blank where not given."""
    return [values.get(field, "") for field in FIELDS]


def staged(row: tuple) -> dict:
    return dict(zip(STAGING_FIELDS, row, strict=True))


def test_a_plain_good_row_takes_the_fast_path(monkeypatch):
    fast_checker = checker()
    monkeypatch.setattr(fast_checker, "check_slowly", None)  # would fail if called
    cells = cells_of(
        id_number=id_number(datetime.date(1950, 1, 1), 1),
        name="张三",
        sex="男",
        birth_date="1950-01-01",
        village_id="341125100001",
        household_number="0001",
        relation_to_head="户主",
        hukou_type="农业",
        phone="13912345678",
        passbook_number="6228480012345678",
        passbook_bank="农商行",
    )
    row, errors = fast_checker.check(2, cells)
    assert errors == ()
    assert staged(row)["ok"] == 1 and staged(row)["passbook_bank"] == "农商行"


def test_slow_check_messages_are_the_shared_rules_messages():
    cells = cells_of(
        id_number="34112519800101001",
        name="王5",
        village_id="341125100001",
        hukou_type="城镇",
        phone="12345",
        passbook_bank="银行" * 11,
    )
    row, errors = checker().check(3, list(cells))
    data = {field: value for field, value in zip(FIELDS, cells, strict=True)}
    _, expected = clean_person_fields(data, on=TODAY)
    assert row is None
    assert expected["passbook_bank"] == "存折开户行过长（最多20个字）"
    assert [(line, column, message) for line, column, _, message in errors] == [
        (3, HEADER_FOR[field], expected[field]) for field in FIELDS if field in expected
    ]


def test_columns_missing_from_the_file_are_blank_not_errors():
    columns = {"id_number": 2, "name": 0, "village_id": 1}
    row, errors = checker(columns).check(
        2, ["张三", "341125100001", id_number(datetime.date(1950, 1, 1), 1)]
    )
    assert errors == ()
    values = staged(row)
    assert [values[field] for field in ("name", "sex", "birth_date", "village_id")] == [
        "张三",
        "male",
        "1950-01-01",
        "341125100001",
    ]
    assert values["passbook_bank"] == "" and values["death_date"] is None


def test_short_rows_are_padded():
    row, errors = checker().check(2, [id_number(datetime.date(1950, 1, 1), 1), "张三", "男"])
    # staged (duplicates are looked for among all readable IDs) but not ok
    assert staged(row)["ok"] == 0
    assert [(column, message) for _, column, _, message in errors] == [
        ("村代码", "村（社区）代码应为12位数字")
    ]


def test_blank_row_is_skipped():
    assert checker().check(5, ["", " ", ""]) == (None, ())


def test_common_date_shapes_are_normalised():
    assert normalise_date_text("1980/1/31") == datetime.date(1980, 1, 31)
    assert normalise_date_text("1980.01.31") == datetime.date(1980, 1, 31)
    assert normalise_date_text("1980年1月31日") == datetime.date(1980, 1, 31)
    assert normalise_date_text("19800131") == datetime.date(1980, 1, 31)
    assert normalise_date_text("1980/2/30") == "1980/2/30"
    assert normalise_date_text("去年") == "去年"
