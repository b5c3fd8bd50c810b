"""Exact numbers for every channel's rates and scores, rounded half-up only for display (pure).

Scores are computed as fractions so nothing is lost before the one rounding a reader sees:
seed 000 prints 94.07 % for 11.29 / 12 (94.083 %), where half-up at two decimals gives 94.08 %.
Figures from the office (targets, points, weights, external values) are read through their
decimal text, so 0.1 stays one tenth and 92 % is exactly 92.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

Number = int | float | str | Decimal | Fraction


class NotANumber(ValueError):
    pass


def exact(value: Number) -> Fraction:
    """A figure as an exact fraction; floats through their shortest decimal text (92.3 is 923/10)."""
    if isinstance(value, bool):
        raise NotANumber(value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, Decimal)):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    if isinstance(value, str):
        try:
            return Fraction(value.strip().replace(",", ""))
        except (ValueError, ZeroDivisionError):
            raise NotANumber(value) from None
    raise NotANumber(value)


def percent(numerator: Number, denominator: Number) -> Fraction:
    """numerator / denominator in percent, exactly (541 / 625 -> 86.56)."""
    den = exact(denominator)
    if den == 0:
        raise ZeroDivisionError("denominator is zero")
    return exact(numerator) * 100 / den


def half_up(value: Fraction, places: int = 2) -> Decimal:
    """Round half-up to `places` decimals (Decimal ROUND_HALF_UP on the exact value)."""
    quantum = Decimal(1).scaleb(-places)
    with localcontext() as ctx:
        ctx.prec = 50  # an exact .5 boundary has a finite expansion and survives this division
        decimal = Decimal(value.numerator) / Decimal(value.denominator)
        return decimal.quantize(quantum, rounding=ROUND_HALF_UP)


def shown(value: Number | None, places: int = 2) -> Decimal | None:
    """A figure computed in floats (a rate in percent, say) rounded half-up for display, from its
    full precision (94.0833... -> 94.08); None stays None."""
    return None if value is None else half_up(exact(value), places)


def percent_or_none(part: Number, whole: Number) -> Fraction | None:
    """part / whole in percent, or None when there is no whole (a rate of nothing is not 0 %)."""
    return percent(part, whole) if exact(whole) else None


def format_score(value: Fraction | None, places: int = 2) -> str:
    """A score as shown: two decimals, half-up ("10.00"); an em dash when there is none."""
    return "—" if value is None else f"{half_up(value, places):f}"


def format_percent(value: Fraction | None, places: int = 2) -> str:
    """A rate already in percent as shown ("94.08%"; "86.6%" at one decimal)."""
    return "—" if value is None else f"{half_up(value, places):f}%"


def as_text(value: Fraction) -> str:
    """An exact value as decimal text when it has a finite expansion, else a ratio ("1/3")."""
    decimal = half_up(value, 12)
    return f"{decimal.normalize():f}" if Fraction(decimal) == value else f"{value.numerator}/{value.denominator}"
