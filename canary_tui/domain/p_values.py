"""How a p-value is printed and carried in --json: never ``p=0``.

(Moved out of :mod:`canary_tui.domain.verdict_checks`, which still exports these names.)
"""

from __future__ import annotations

Number = float | int | str | None


#: Below this a double cannot be trusted to be anything but "astronomically small": the
#: exact tests' tails underflow to 0.0, which must never be printed as ``p=0``.
SMALLEST_P = 1e-300


def p_text(p_value: float) -> str:
    """``p=0.0123``, or ``p<1e-300`` for a p-value too small to print (never ``p=0``)."""
    return f"p<{SMALLEST_P:.0e}" if p_value < SMALLEST_P else f"p={p_value:.3g}"


def p_numbers(p_value: float) -> dict[str, Number]:
    """The p-value for --json: the double as computed (unrounded: 1e-20 is not 0) and the
    text a person reads."""
    return {"p_value": p_value, "p_value_text": p_text(p_value).removeprefix("p").lstrip("=")}


__all__ = ["SMALLEST_P", "p_numbers", "p_text"]
