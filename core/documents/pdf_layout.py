"""Drawing primitives for the invoice PDF: page, fonts, blocks and tables.

Every piece of customer text goes through ``cell``/``multi_cell`` or fpdf2's
``table`` with ``markdown=False``: never through the HTML renderer, so a company
name like ``<b>ACME</b>`` or ``**x**`` prints literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import Align, TableBordersLayout, XPos, YPos

from core import clock
from core.documents.pdf_fonts import add_document_font

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"
ACCENT = (33, 64, 110)
HEADING_FILL = (228, 234, 243)
MUTED = (90, 90, 90)


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
        self.multi_cell(
            width or self.epw,
            height,
            text,
            align=align,
            new_x=XPos.LMARGIN if not width else XPos.LEFT,
            new_y=YPos.NEXT,
        )
        self.set_font(FONT, size=9)

    def key_values(self, rows: Sequence[tuple[str, str]], *, x: float, width: float, key_width: float) -> None:
        """Aligned ``label: value`` rows in a column starting at ``x``."""
        for key, value in rows:
            self.set_x(x)
            self.set_font(FONT, "", 8)
            self.set_text_color(*MUTED)
            self.cell(key_width, 4.6, f"{key}:")
            self.set_text_color(0, 0, 0)
            self.set_font(FONT, "B", 9)
            self.multi_cell(width - key_width, 4.6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
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
                self.multi_cell(column, 4.6, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
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
        """A table with a shaded header row repeated on each page; plain-text cells."""
        self.set_font(FONT, "", size)
        style = FontFace(emphasis="BOLD", fill_color=HEADING_FILL, size_pt=size)
        with self.table(
            col_widths=tuple(widths),
            width=self.epw,
            line_height=4.2,
            headings_style=style,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            markdown=False,
            padding=1.2,
            v_align="MIDDLE",
        ) as table:
            head = table.row()
            for text, align in zip(headings, aligns, strict=False):
                head.cell(text, align=align)
            for index, values in enumerate(rows):
                row = table.row()
                last = bold_last and index == len(rows) - 1
                for text, align in zip(values, aligns, strict=False):
                    row.cell(text, align=align, style=FontFace(emphasis="BOLD", size_pt=size) if last else None)
        self.set_font(FONT, size=9)
        self.ln(1)
