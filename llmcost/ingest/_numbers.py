"""Numbers in CSV cells after a spreadsheet has formatted them.

Excel, Google Sheets and LibreOffice write numbers as they display them:
"1,234" and "1.234" (thousands, by locale), "1 234" / "1'234" (French, Swiss),
"0,0123" (a decimal comma), "$0.12". Reading those with a plain
``to_numeric`` either fails or, worse, reads a thousands separator as a
decimal point (1.234 tokens for 1,234). :func:`clean_numbers` turns a column
of such text into plain ``1234.5`` text, deciding the decimal mark per column
from the values that can only be read one way, then from the file's field
separator (";" is what Excel writes where the decimal mark is a comma).
Where it had to decide an ambiguous shape it says how in a note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ._io import ReadContext, Source

#: digit-group separators that are never a decimal mark: spaces (incl. no-break), apostrophes
_GROUPING = r"(?<=\d)[ \u00a0\u202f'\u2019](?=\d{3}(?:\D|$))"
_AMBIGUOUS_DOT = r"-?[1-9]\d{0,2}(?:\.\d{3})+"  # 1.234 / 12.345.678: thousands, or a decimal point
_AMBIGUOUS_COMMA = r"-?[1-9]\d{0,2}(?:,\d{3})+"  # 1,234: thousands, or a decimal comma
_DECIMAL_COMMA = r"-?\d+,\d+|-?\d{1,3}(?:\.\d{3})+,\d+"  # 0,0123 / 12,5 / 1.234,56 (not an ambiguous 1,234)
_DECIMAL_DOT = r"-?\d*\.\d+|-?\d{1,3}(?:,\d{3})+\.\d+"  # 0.0123 / 3.0 / 1,234.56 (not an ambiguous 1.234)


def clean_numbers(text: pd.Series, *, whole: bool, sep: str = ",") -> tuple[pd.Series, str | None]:
    """Spreadsheet-formatted numbers as plain number text, and a note when an
    ambiguous shape was decided (``None`` otherwise).

    ``text`` is a column of strings (NA allowed). Values that are not numbers
    in any locale are left as they are, for the caller to report. ``whole``:
    the column counts things (tokens, requests), so "1.234" cannot be a
    fraction. ``sep``: the file's field separator, the locale clue of last
    resort. Vectorised: the common case (plain numbers) costs two ``str``
    scans.
    """
    s = text.astype("string").str.strip()
    if not s.str.contains(r"[,$ \u00a0\u202f'\u2019]|\.\d{3}(?:\D|$)", regex=True).fillna(False).any():
        return s, None  # plain numbers: nothing to decide
    s = s.str.replace(_GROUPING, "", regex=True)
    s = s.str.replace(r"^(-?)\s*(?:US)?\$\s*", r"\1", regex=True)  # "$0.12", "-$1.00"
    dec_comma = s.str.fullmatch(_DECIMAL_COMMA).fillna(False) & ~s.str.fullmatch(_AMBIGUOUS_COMMA).fillna(False)
    dec_dot = s.str.fullmatch(_DECIMAL_DOT).fillna(False) & ~s.str.fullmatch(_AMBIGUOUS_DOT).fillna(False)
    amb_dot = s.str.fullmatch(_AMBIGUOUS_DOT).fillna(False)
    amb_comma = s.str.fullmatch(_AMBIGUOUS_COMMA).fillna(False)
    if dec_comma.any() and dec_dot.any():
        return s, None  # both marks as decimals: leave the cells as they are, the caller reports them
    note = None
    if dec_comma.any():
        comma_decimal = True
    elif dec_dot.any():
        comma_decimal = False
    elif whole and (amb_dot.any() or amb_comma.any()):
        comma_decimal = bool(amb_dot.any())  # a count has no fraction: "1.234" groups thousands
        if amb_dot.any() and amb_comma.any():
            return s, None
        example = s[amb_dot | amb_comma].iloc[0]
        note = f"read {example!r} as {example.replace('.', '').replace(',', '')} (digit grouping)"
    else:
        comma_decimal = sep == ";"
        if amb_dot.any() or amb_comma.any():
            example = s[amb_dot | amb_comma].iloc[0]
            reading = (example.replace(".", "").replace(",", ".") if comma_decimal
                       else example.replace(",", ""))
            mark = "comma" if comma_decimal else "point"
            note = (f"read {example!r} as {reading} (decimal {mark}, from the file's "
                    f"{'semicolon' if sep == ';' else 'comma'} separator)")
    if comma_decimal:
        s = s.where(~(dec_comma | amb_dot | amb_comma), s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    else:
        s = s.where(~(dec_dot | amb_comma | amb_dot), s.str.replace(",", "", regex=False))
    return s, note


def plain_numbers(text: pd.Series, col: str, source: Source, ctx: ReadContext, *, whole: bool) -> pd.Series:
    """:func:`clean_numbers` for a column ``col`` of ``source`` (its separator is the locale clue),
    the note of an ambiguous decision said as a warning naming the file and the column."""
    out, note = clean_numbers(text, whole=whole, sep=source.sep)
    if note:
        ctx.warn(f"{source.name}: {col}: {note}")
    return out
