"""Drawing primitives for the invoice PDF: page, fonts, blocks and tables.

Every piece of customer text goes through ``cell``/``multi_cell`` (``markdown=False``)
or, in tables, ``text``: never through the HTML renderer, so a company name like
``<b>ACME</b>`` or ``**x**`` prints literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos
from fpdf.fonts import TTFFont
from fpdf.util import Padding

from core import clock
from core.documents.pdf_fonts import add_document_font
from core.documents.pdf_wrap import wrap

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"
ACCENT = (33, 64, 110)
HEADING_FILL = (228, 234, 243)
MUTED = (90, 90, 90)
CELL_PADDING = 1.2  # mm around a table cell's text
CELL_LINE = 4.2  # mm per line of a table cell
_PADDING = Padding(CELL_PADDING, CELL_PADDING, CELL_PADDING, CELL_PADDING)


class InvoicePDF(FPDF):
    """A4 portrait, 15 mm margins, DejaVu Sans (Unicode), page numbers in the footer."""

    def __init__(self, footer_text: str, page_label: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.page_label = page_label
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=18)
        # parsed once per process; this document keeps its own glyph subset
        add_document_font(self, FONT, "", FONT_DIR / "DejaVuSans.ttf")
        add_document_font(self, FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_font(FONT, size=9)
        self.alias_nb_pages()
        self.set_creation_date(clock.now())  # the app's clock, so a pinned clock gives the same bytes

    def footer(self) -> None:
        """Document number left, ``Strona n/N`` right, on every page."""
        self.set_y(-13)
        self.set_font(FONT, size=7)
        self.set_text_color(*MUTED)
        self.cell(self.epw / 2, 5, self.footer_text)
        self.cell(self.epw / 2, 5, f"{self.page_label} {self.page_no()}/{{nb}}", align=Align.R)
        self.set_text_color(0, 0, 0)

    # -- text primitives -------------------------------------------------------
    def text_line(
        self,
        text: str,
        *,
        size: float = 9,
        bold: bool = False,
        width: float = 0,
        align: Align = Align.L,
        height: float = 4.6,
    ) -> None:
        """One wrapped paragraph at the current x, then move to the next line."""
        self.set_font(FONT, "B" if bold else "", size)
        self.paragraph(
            width or self.epw,
            height,
            text,
            align=align,
            new_x=XPos.LMARGIN if not width else XPos.LEFT,
            new_y=YPos.NEXT,
        )
        self.set_font(FONT, size=9)

    def paragraph(
        self, width: float, height: float, text: str, *, align: Align = Align.L, new_x: XPos, new_y: YPos
    ) -> None:
        """``multi_cell(width, height, text, align=align, new_x=new_x, new_y=new_y)``, the lines broken once.

        Plain text that fits on the page is placed line by line where ``multi_cell`` puts
        it (the cell margin inside ``width``, left, right or centred; justified text of one
        line is left-aligned); anything else, a paragraph that reaches the page break or
        justified over several lines included, is ``multi_cell``'s own.
        """
        font = self.current_font
        lines = None
        if (
            isinstance(font, TTFFont)
            and not text.endswith("\n")  # multi_cell adds a line break after a last "\n"
            and new_x in (XPos.LEFT, XPos.RIGHT, XPos.LMARGIN)
            and new_y in (YPos.NEXT, YPos.TOP)
        ):
            lines = wrap(text, font.cw, self.font_size_pt, self.k, width - self.c_margin - self.c_margin)
        if (
            lines is None
            or (align == Align.J and len(lines) > 1)
            or self.y + len(lines) * height > self.page_break_trigger - 0.01
        ):
            self.multi_cell(width, height, text, align=align, new_x=new_x, new_y=new_y)
            return
        x, top = self.x, self.y
        baseline = 0.5 * height + 0.3 * self.font_size
        for line, line_width in lines:
            if line:
                if align == Align.R:
                    self.text(x + (width - self.c_margin - line_width), self.y + baseline, line)
                elif align == Align.C:
                    self.text(x + (width - line_width) / 2, self.y + baseline, line)
                else:
                    self.text(x + self.c_margin, self.y + baseline, line)
            self.y += height
        if new_y == YPos.TOP:
            self.y = top
        if new_x == XPos.RIGHT:
            self.x = x + width
        elif new_x == XPos.LMARGIN:
            self.x = self.l_margin

    def key_values(self, rows: Sequence[tuple[str, str]], *, x: float, width: float, key_width: float) -> None:
        """Aligned ``label: value`` rows in a column starting at ``x``."""
        for key, value in rows:
            self.set_x(x)
            self.set_font(FONT, "", 8)
            self.set_text_color(*MUTED)
            self.cell(key_width, 4.6, f"{key}:")
            self.set_text_color(0, 0, 0)
            self.set_font(FONT, "B", 9)
            self.paragraph(width - key_width, 4.6, value, align=Align.J, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=9)

    def section_title(self, text: str) -> None:
        """A small coloured heading with a rule under it."""
        self.ln(2)
        self.set_font(FONT, "B", 9.5)
        self.set_text_color(*ACCENT)
        self.cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*ACCENT)
        self.line(self.l_margin, self.get_y(), self.l_margin + self.epw, self.get_y())
        self.set_text_color(0, 0, 0)
        self.set_draw_color(0, 0, 0)
        self.ln(1.5)

    def party_blocks(self, left: tuple[str, list[str]], right: tuple[str, list[str]]) -> None:
        """Seller and buyer side by side: a heading and lines (first line bold)."""
        top = self.get_y()
        column = (self.epw - 8) / 2
        bottoms = []
        for index, (title, lines) in enumerate((left, right)):
            x = self.l_margin + index * (column + 8)
            self.set_xy(x, top)
            self.set_font(FONT, "B", 8)
            self.set_text_color(*ACCENT)
            self.cell(column, 5, title, new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_text_color(0, 0, 0)
            for number, line in enumerate(lines):
                self.set_font(FONT, "B" if number == 0 else "", 9.5 if number == 0 else 9)
                self.paragraph(column, 4.6, line, align=Align.J, new_x=XPos.LEFT, new_y=YPos.NEXT)
            bottoms.append(self.get_y())
        self.set_xy(self.l_margin, max(bottoms) + 2)
        self.set_font(FONT, size=9)

    def grid(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        aligns: Sequence[str],
        *,
        bold_last: bool = False,
        size: float = 8,
    ) -> None:
        """A table across the page: a shaded header row repeated on each page, plain-text cells.

        Drawn as fpdf2's ``table()`` draws it (column widths in proportion to ``widths``,
        1.2 mm padding, 4.2 mm lines, cells centred vertically, a rule between rows, a row
        never split across pages), but each cell's lines are broken once.
        """
        total = sum(widths)
        columns = [width / total * self.epw for width in widths]
        lefts = [self.l_margin]
        for width in columns[:-1]:
            lefts.append(lefts[-1] + width)
        styles = ["B", *([""] * (len(rows) - 1)), "B" if bold_last else ""] if rows else ["B"]
        laid = [self._grid_row(headings, columns, aligns, styles[0], size)]
        laid += [self._grid_row(row, columns, aligns, styles[1 + i], size) for i, row in enumerate(rows)]
        last = len(laid) - 1
        if last > 0:
            self._perform_page_break_if_need_be(laid[0].height + laid[1].height)  # never a header alone
        for index, row in enumerate(laid):
            if self._perform_page_break_if_need_be(row.height) and index > 0:
                self._draw_grid_row(laid[0], 0, last, lefts, columns, aligns, size)
            self._draw_grid_row(row, index, last, lefts, columns, aligns, size)
        self.set_font(FONT, size=9)
        self.ln(1)

    def _grid_row(
        self, texts: Sequence[str], columns: Sequence[float], aligns: Sequence[str], style: str, size: float
    ) -> _GridRow:
        self.set_font(FONT, style, size)
        font = self.current_font
        assert isinstance(font, TTFFont)
        cells: list[list[tuple[str, float]] | None] = []
        heights = []
        for text, width, align in zip(texts, columns, aligns, strict=False):
            if not text:
                cells.append([])
                heights.append(0.0)
                continue
            lines = wrap(text, font.cw, size, self.k, width - CELL_PADDING - CELL_PADDING)
            if lines is None:  # text fpdf2 breaks its own way: let it measure the cell
                measured = self.multi_cell(
                    width,
                    CELL_LINE,
                    text,
                    align=align,
                    max_line_height=CELL_LINE,
                    padding=_PADDING,
                    dry_run=True,
                    output=MethodReturnValue.HEIGHT,
                )
                assert isinstance(measured, float)
                heights.append(measured)
            else:
                height = 0.0
                for _ in lines:  # added up line by line, as fpdf2 does, to the same float
                    height += CELL_LINE
                heights.append(height + CELL_PADDING + CELL_PADDING)
            cells.append(lines)
        return _GridRow(list(texts), cells, heights, max(heights) or CELL_LINE, style)

    def _draw_grid_row(
        self,
        row: _GridRow,
        index: int,
        last: int,
        lefts: Sequence[float],
        columns: Sequence[float],
        aligns: Sequence[str],
        size: float,
    ) -> None:
        top = self.y
        right = lefts[-1] + columns[-1]
        if index == 0:
            self.set_fill_color(*HEADING_FILL)
            self.rect(self.l_margin, top, right - self.l_margin, row.height, style="F")
            self.set_fill_color(0, 0, 0)
        if index > 0:
            self.line(self.l_margin, top, right, top)
        if index < last:
            self.line(self.l_margin, top + row.height, right, top + row.height)
        self.set_font(FONT, row.style, size)
        baseline = 0.5 * CELL_LINE + 0.3 * self.font_size
        for text, lines, height, left, width, align in zip(
            row.texts, row.cells, row.heights, lefts, columns, aligns, strict=False
        ):
            if not text:
                continue
            y = top + (row.height - height) / 2
            if lines is None:
                self.set_xy(left, y)
                self.multi_cell(
                    width,
                    CELL_LINE,
                    text,
                    align=align,
                    max_line_height=CELL_LINE,
                    padding=_PADDING,
                    new_x=XPos.RIGHT,
                    new_y=YPos.TOP,
                )
                continue
            inner = width - CELL_PADDING - CELL_PADDING
            x = left + CELL_PADDING
            y += CELL_PADDING
            for line, line_width in lines:
                if line:
                    if align == "R":
                        self.text(x + (inner - line_width), y + baseline, line)
                    elif align == "C":
                        self.text(x + (inner - line_width) / 2, y + baseline, line)
                    else:
                        self.text(x, y + baseline, line)
                y += CELL_LINE
        self.set_xy(self.l_margin, top + row.height)


@dataclass
class _GridRow:
    """One table row, its lines broken: ``cells[i]`` is None where fpdf2 lays the cell out itself."""

    texts: list[str]
    cells: list[list[tuple[str, float]] | None]
    heights: list[float]
    height: float
    style: str
