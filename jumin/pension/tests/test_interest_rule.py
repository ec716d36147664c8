"""The year-end interest rule (EXAMPLES E1, E7) in the three crediting modes."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jumin.pension.rules import year_interest

RATE = Decimal("0.015")


def _grow(years: list[Decimal], *, mode: str, month: int = 3) -> tuple[Decimal, list[Decimal]]:
    balance, interests = Decimal("0.00"), []
    for credit in years:
        interest = year_interest(opening=balance, credits=[(month, credit)], rate=RATE, mode=mode)
        interests.append(interest)
        balance += credit + interest
    return balance, interests


def test_e1_fifteen_years_at_grade_500_mode_a():
    balance, interests = _grow([Decimal("560")] * 15, mode="A")
    assert interests[:3] == [Decimal("0.00"), Decimal("8.40"), Decimal("16.93")]
    assert balance == Decimal("9342.00")
    assert _grow([Decimal("560")] * 15, mode="B")[0] == Decimal("9482.13")


def test_e7_ten_years_and_five_back_paid_mode_a():
    credits = [Decimal("230")] * 9 + [Decimal("1230")]
    balance, interests = _grow(credits, mode="A")
    assert interests == [
        Decimal(x)
        for x in (
            "0.00",
            "3.45",
            "6.95",
            "10.51",
            "14.11",
            "17.78",
            "21.49",
            "25.26",
            "29.09",
            "32.98",
        )
    ]
    assert balance == Decimal("3461.62")


def test_mode_b_credits_earn_a_full_year_and_mode_c_pro_rata():
    assert year_interest(
        opening=Decimal("0"), credits=[(3, Decimal("1200"))], rate=RATE, mode="B"
    ) == Decimal("18.00")
    # booked in March: earns April–December, 9 of 12 months
    assert year_interest(
        opening=Decimal("0"), credits=[(3, Decimal("1200"))], rate=RATE, mode="C"
    ) == Decimal("13.50")
    assert year_interest(
        opening=Decimal("1000"), credits=[], rate=RATE, mode="A", months=6
    ) == Decimal("7.50")


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError):
        year_interest(opening=Decimal("1"), credits=[], rate=RATE, mode="D")


@given(
    opening=st.decimals(min_value=0, max_value=10**6, places=2),
    credit=st.decimals(min_value=0, max_value=10**5, places=2),
    month=st.integers(1, 12),
)
def test_modes_are_ordered_a_le_c_le_b(opening, credit, month):
    values = {
        mode: year_interest(opening=opening, credits=[(month, credit)], rate=RATE, mode=mode)
        for mode in "ACB"
    }
    assert values["A"] <= values["C"] <= values["B"]
    assert all(value >= 0 and value == value.quantize(Decimal("0.01")) for value in values.values())
