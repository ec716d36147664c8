import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.people.rules import (
    FEMALE,
    MALE,
    IdNumberError,
    age_on,
    check_character,
    convert_15_to_18,
    parse_id_number,
)
from jumin.testing.factories import make_id_number

TODAY = datetime.date(2026, 11, 28)


def test_e6_beijing_number_with_check_x_is_valid():
    identity = parse_id_number("11010519491231002X", today=TODAY)
    assert identity.number == "11010519491231002X"
    assert identity.birth_date == datetime.date(1949, 12, 31)
    assert identity.sex == FEMALE  # order code 002 is even


def test_e6_weighted_sum_is_167():
    digits = "11010519491231002"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert sum(int(d) * w for d, w in zip(digits, weights, strict=True)) == 167
    assert check_character(digits) == "X"


def test_e6_guangdong_number_is_valid():
    identity = parse_id_number("440524188001010014", today=TODAY)
    assert identity.birth_date == datetime.date(1880, 1, 1)
    assert identity.sex == MALE


def test_e6_fifteen_digit_number_converts():
    assert convert_15_to_18("110105491231002") == "11010519491231002X"
    assert parse_id_number("110105491231002", today=TODAY).number == "11010519491231002X"


def test_lower_case_x_is_accepted_and_stored_upper_case():
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_missing"),
        ("1101051949123100", "id_length"),
        ("11010519491231002Y", "id_format"),
        ("110105194912310021", "id_check"),
        ("110105194902300020", "id_birth_date"),  # 30 February
        ("110105203001010010", "id_birth_future"),
        ("11010549123100A", "id_format"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(raw, code):
    with pytest.raises(IdNumberError) as error:
        parse_id_number(raw, today=TODAY)
    assert error.value.code == code
    assert error.value.message  # a Chinese sentence for staff


def test_birth_date_of_today_is_accepted_and_tomorrow_is_not():
    today_number = make_id_number(birth_date=TODAY, sequence=3)
    assert parse_id_number(today_number, today=TODAY).birth_date == TODAY
    tomorrow = make_id_number(birth_date=TODAY + datetime.timedelta(days=1), sequence=3)
    with pytest.raises(IdNumberError):
        parse_id_number(tomorrow, today=TODAY)


@given(
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY),
    sequence=st.integers(min_value=0, max_value=499),
    sex=st.sampled_from([MALE, FEMALE]),
)
def test_generated_numbers_round_trip(birth, sequence, sex):
    number = make_id_number(birth_date=birth, sequence=sequence, sex=sex)
    identity = parse_id_number(number, today=TODAY)
    assert (identity.birth_date, identity.sex) == (birth, sex)


@given(
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY),
    sequence=st.integers(min_value=0, max_value=499),
    position=st.integers(min_value=0, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_change_is_caught(birth, sequence, position, delta):
    number = make_id_number(birth_date=birth, sequence=sequence)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    try:
        identity = parse_id_number(changed, today=TODAY)
    except IdNumberError:
        return
    raise AssertionError(f"{changed} accepted as {identity}")


def test_age_on_birthday_boundaries():
    born = datetime.date(1966, 3, 15)
    assert age_on(born, datetime.date(2026, 3, 14)) == 59
    assert age_on(born, datetime.date(2026, 3, 15)) == 60


def test_full_width_digits_are_stored_as_ascii():
    assert parse_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY).number == (
        "11010519491231002X"
    )


def test_other_scripts_digits_are_refused():
    arabic_indic = "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"
    with pytest.raises(IdNumberError) as error:
        parse_id_number(arabic_indic, today=TODAY)
    assert error.value.code == "id_format"
