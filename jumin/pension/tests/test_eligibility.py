import datetime

from hypothesis import given
from hypothesis import strategies as st

from jumin.pension.rules import enrolment_refusals

ON = datetime.date(2026, 11, 28)


def check(**changes):
    arguments = {
        "birth_date": datetime.date(1970, 5, 1),
        "on": ON,
        "death_date": None,
        "full_time_student": False,
        "in_employee_scheme": False,
        "already_enrolled": False,
        "minimum_age": 16,
    }
    return enrolment_refusals(**{**arguments, **changes})


def test_an_ordinary_adult_may_enrol():
    assert check() == []


def test_sixteenth_birthday_is_the_first_day():
    assert check(birth_date=datetime.date(2010, 11, 28)) == []
    assert check(birth_date=datetime.date(2010, 11, 29)) == ["未满16周岁，不能参保"]


def test_each_bar_is_named():
    assert check(death_date=ON) == ["已死亡，不能参保"]
    assert check(death_date=ON + datetime.timedelta(days=1)) == []
    assert check(full_time_student=True) == ["在校学生不参加城乡居保"]
    assert check(in_employee_scheme=True) == ["已参加职工基本养老保险，不能同时参加城乡居保"]
    assert check(already_enrolled=True) == ["已参加城乡居保，不能重复登记"]


def test_minimum_age_is_a_parameter():
    assert check(birth_date=datetime.date(2010, 11, 29), minimum_age=15) == []


@given(
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=ON),
)
def test_eligible_exactly_when_no_bar_holds(student, employee, enrolled, birth_date):
    refusals = check(
        birth_date=birth_date,
        full_time_student=student,
        in_employee_scheme=employee,
        already_enrolled=enrolled,
    )
    old_enough = (
        ON.year - birth_date.year - ((ON.month, ON.day) < (birth_date.month, birth_date.day))
    ) >= 16
    assert (refusals == []) == (old_enough and not (student or employee or enrolled))
    assert len(refusals) == (not old_enough) + student + employee + enrolled
