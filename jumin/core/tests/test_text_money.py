"""The one text rule and the one money parser (jumin.core.text, jumin.core.money)."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jumin.core import money, text


@pytest.mark.parametrize("value", ["王\x07五", "\x00", "a\x1bb", "x\x7f", "\x85", "\ud800"])
def test_check_text_refuses_control_characters(value):
    with pytest.raises(text.TextError) as raised:
        text.check_text(value)
    assert "控制字符" in raised.value.message
    assert raised.value.message.startswith("不能包含控制字符（第")


def test_check_text_names_position_and_code_point():
    with pytest.raises(text.TextError) as raised:
        text.check_text("王\x07五")
    assert raised.value.message == "不能包含控制字符（第2个字符 U+0007）"


def test_multiline_allows_line_breaks_and_tabs_only():
    assert text.check_text("第一行\r\n第二行\t完", multiline=True) == "第一行\r\n第二行\t完"
    with pytest.raises(text.TextError):
        text.check_text("一行\n两行")
    with pytest.raises(text.TextError):
        text.check_text("a\n\x00", multiline=True)


def test_ordinary_text_passes():
    for value in ["王五", "Zhang San", "341125198001011234", "张三·李", "𠀀字", ""]:
        assert text.check_text(value) == value


def test_export_text_replaces_control_characters_visibly():
    assert text.export_text("王\x07五") == "王\ufffd五"
    assert text.export_text("a\nb") == "a\nb"
    assert text.export_text("a\nb", multiline=False) == "a\ufffdb"
    assert text.export_text(12) == 12


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_export_text_always_passes_the_rule(value):
    text.check_text(text.export_text(value), multiline=True)


def test_ascii_digits_refuses_superscripts():
    assert "²".isdigit()
    assert not text.is_ascii_digits("²")
    assert not text.is_ascii_digits("")
    assert text.is_ascii_digits("2026")
    assert text.normalise_digits("２０２６") == "2026"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.5", "12.50"),
        (" 1,200.00 ", "1200.00"),
        ("¥30", "30.00"),
        (12, "12.00"),
        (Decimal("0.10"), "0.10"),
        (12.3, "12.30"),
        ("12.340", "12.34"),
        ("999999999999.99", "999999999999.99"),
    ],
)
def test_parse_money(value, expected):
    assert money.parse(value) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "word"),
    [
        ("12.345", "两位小数"),
        ("1e-5", "两位小数"),
        ("1e28", "过大"),
        ("1" + "0" * 40, "不是数字"),
        ("1000000000000", "过大"),
        ("NaN", "不是数字"),
        ("Infinity", "不是数字"),
        ("abc", "不是数字"),
        ("", "不能为空"),
        (None, "不能为空"),
        (True, "不能为空"),
        ("-1", "负数"),
    ],
)
def test_parse_money_refuses(value, word):
    with pytest.raises(money.MoneyError) as raised:
        money.parse(value)
    assert word in raised.value.message


def test_parse_money_negative_and_zero_switches():
    assert money.parse("-1.5", allow_negative=True) == Decimal("-1.50")
    with pytest.raises(money.MoneyError):
        money.parse("0", allow_zero=False)


def test_round_fen_is_half_up():
    assert money.round_fen(Decimal("0.125")) == Decimal("0.13")
    assert money.round_fen(Decimal("0.135")) == Decimal("0.14")
    assert money.round_fen(Decimal("-0.125")) == Decimal("-0.13")
    assert money.of_aggregate(None) == Decimal("0.00")
    assert money.of_aggregate(Decimal("12.5")) == Decimal("12.50")


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.decimals(min_value=0, max_value=money.MAXIMUM, places=2))
def test_parse_money_round_trips_every_stored_amount(value):
    assert money.parse(str(value)) == value
