"""Word wrapping of plain table text, line for line as fpdf2's ``multi_cell`` wraps it.

fpdf2 breaks a cell's text by growing a line character by character, a width
summed again for every prefix; its ``table()`` does that twice per cell (once to
size the row, once to draw it). :func:`wrap` gives the same lines from one pass
over the font's widths, for the text invoices put in tables. Text it does not
handle the same way (tabs and other breaking spaces, soft hyphens, no-break
spaces, form feeds, carriage returns, a character wider than the column, a line
left empty by a space before a word longer than the column) is answered
``None``, and the caller lets fpdf2 lay that cell out.
"""

from __future__ import annotations

from collections.abc import Mapping

# What fpdf2's line breaker treats specially besides " " and "\n": breaking spaces
# other than " " (fpdf.line_break.BREAKING_SPACE_SYMBOLS), no-break space, soft
# hyphen, form feed; multi_cell also drops "\r" before breaking.
SPECIAL = frozenset(
    "\u200b\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000\t\u00a0\u00ad\x0c\r"
)
TOLERANCE = 1e-9  # fpdf.util.FloatTolerance: a line may overshoot its width by this much


def wrap(
    text: str, widths: Mapping[int, float], size_pt: float, k: float, max_width: float
) -> list[tuple[str, float]] | None:
    """The lines fpdf2's word wrap makes of ``text`` in ``max_width`` (document units), each with its width.

    ``widths`` is the font's advance width per code point (font units, fpdf2's ``cw``);
    ``size_pt`` the font size and ``k`` the scale from points to document units. The
    widths are computed as fpdf2 computes them, so a right or centred line lands where
    fpdf2 puts it. ``None`` when the text holds anything fpdf2 treats in a way this
    does not follow (see the module's docstring).
    """
    if not SPECIAL.isdisjoint(text):
        return None
    lines: list[tuple[str, float]] = []
    start = index = 0
    end = len(text)
    while index < end:
        units = 0.0  # the line's width in font units
        space = -1  # index of the line's last space, where it can break
        while True:
            if index == end:
                if units:  # fpdf2 drops a last line of no width
                    lines.append((text[start:index], units * size_pt * 0.001 / k))
                return lines or None  # no line at all: fpdf2 prints an empty one
            char = text[index]
            if char == "\n":
                lines.append((text[start:index], units * size_pt * 0.001 / k))
                index += 1
                break
            char_units = widths[ord(char)]
            if units * size_pt * 0.001 / k + char_units * size_pt * 0.001 / k - max_width > TOLERANCE:
                if char == " ":  # the space that overflows ends the line and is dropped
                    lines.append((text[start:index], units * size_pt * 0.001 / k))
                    index += 1
                elif space >= 0:  # back to the last space, which is dropped
                    line = text[start:space]
                    if not line:  # a line of only that space: fpdf2 writes it as an empty text of its own
                        return None
                    lines.append((line, sum(widths[ord(c)] for c in line) * size_pt * 0.001 / k))
                    index = space + 1
                elif index == start:  # not even one character fits: fpdf2 refuses
                    return None
                else:  # a word longer than the line is cut where it overflows
                    lines.append((text[start:index], units * size_pt * 0.001 / k))
                break
            if char == " ":
                space = index
            units += char_units
            index += 1
        start = index
    return lines or None
