"""Money: ``Decimal`` yuan with two places, one parser and one rounding for the whole system.

- ``parse(value)`` reads an amount a person or a file wrote: at most two decimals (more is
  refused, never rounded away), finite, within the column (``MONEY`` in ``core.models``:
  14 digits, 2 after the point, so at most 999 999 999 999.99), not negative unless allowed.
  Problems raise ``MoneyError`` with a Chinese message ("金额“12.345”最多两位小数").
- ``round_fen(value)`` rounds a computed amount half-up to the fen (POLICY: 四舍五入到分).
- ``of_aggregate(value)`` turns a database ``SUM`` (``None``, or SQLite's ``Decimal('12.5')``)
  into a two-place amount.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# DecimalField(max_digits=14, decimal_places=2): 12 digits before the point.
MAX_DIGITS = 14
DECIMAL_PLACES = 2
MAXIMUM = Decimal("999999999999.99")


class MoneyError(ValueError):
    """An amount we cannot accept; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse(
    value,
    *,
    allow_negative: bool = False,
    allow_zero: bool = True,
    maximum: Decimal = MAXIMUM,
) -> Decimal:
    """``"12.5"`` → ``Decimal("12.50")``; ``MoneyError`` for anything that is not an amount.

    Accepts ``str`` (spaces, thousands commas and a leading ``¥`` are ignored), ``int``,
    ``Decimal``, and ``float`` only as a spreadsheet cell gives it (read by its shortest
    representation, so ``12.3`` stays 12.30). ``bool`` and ``None`` are refused.
    """
    if value is None or isinstance(value, bool):
        raise MoneyError("金额不能为空")
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    if not text:
        raise MoneyError("金额不能为空")
    if len(text) > 40:
        raise MoneyError(f"金额“{text[:20]}…”不是数字")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise MoneyError(f"金额“{text}”不是数字") from None
    if not amount.is_finite():
        raise MoneyError(f"金额“{text}”不是数字")
    # the size first: quantizing 1E+28 would overflow the decimal context
    if abs(amount) > maximum:
        raise MoneyError(f"金额“{text}”过大（最多 {maximum} 元）")
    if amount.as_tuple().exponent < -DECIMAL_PLACES and amount != amount.quantize(CENT):
        raise MoneyError(f"金额“{text}”最多两位小数")
    if amount < 0 and not allow_negative:
        raise MoneyError(f"金额“{text}”不能是负数")
    if amount == 0 and not allow_zero:
        raise MoneyError("金额不能为零")
    return amount.quantize(CENT)


def round_fen(value) -> Decimal:
    """Half-up to the fen: ``Decimal("0.125")`` → ``Decimal("0.13")``."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def of_aggregate(value) -> Decimal:
    """A ``SUM`` from the database as two-place yuan (``None`` → 0.00)."""
    if value is None:
        return ZERO
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
