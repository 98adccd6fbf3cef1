"""Invoice tables and paragraphs laid out by our own code: the same lines, places and pages as fpdf2's."""

from __future__ import annotations

import io
import re

from fpdf import FontFace
from fpdf.enums import Align, TableBordersLayout, XPos, YPos
from fpdf.errors import FPDFException
from fpdf.fonts import TTFFont
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from core.documents.pdf_layout import FONT, HEADING_FILL, InvoicePDF
from core.documents.pdf_wrap import wrap

WORDS = ["Hosting", "WWW", "zażółć", "gęślą", "jaźń", "–", "2026", "1,92", "TB", "NVMe", "Ω", "x" * 40, "a"]
HEADINGS = ["Lp.", "Nazwa towaru lub usługi", "Ilość", "J.m.", "Cena jedn. netto", "Wartość netto", "Stawka VAT"]
WIDTHS = (8, 80, 14, 12, 24, 24, 18)
ALIGNS = ("R", "L", "R", "C", "R", "R", "C")
LONG = (
    "Serwer dedykowany Ultra – Intel Xeon E-2388G, 128 GB RAM ECC, 2 × 1,92 TB NVMe w RAID 1, łącze 1 Gb/s"
    " bez limitu transferu, wsparcie 24/7 – okres rozliczeniowy marzec 2026"
)


def fpdf2_lines(pdf: InvoicePDF, text: str, width: float) -> list[str]:
    """The lines fpdf2's multi_cell makes of ``text`` in a table cell of ``width`` (1.2 mm padding)."""
    lines = pdf.multi_cell(width, 4.2, text, padding=1.2, dry_run=True, output="LINES")
    return list(lines)  # type: ignore[arg-type]


texts = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from([" ", "  ", "\n", " \n", "\n\n"])), min_size=1, max_size=30
).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    text=texts, width=st.sampled_from([8.0, 14.0, 24.0, 30.0, 80.0]), bold=st.booleans(), size=st.sampled_from([8, 9.5])
)
def test_wrap_breaks_lines_where_fpdf2_breaks_them(text: str, width: float, bold: bool, size: float) -> None:
    pdf = InvoicePDF(footer_text="", page_label="")
    pdf.add_page()
    pdf.set_font(FONT, "B" if bold else "", size)
    font = pdf.current_font
    assert isinstance(font, TTFFont)
    try:
        expected: list[str] | None = fpdf2_lines(pdf, text, width)
    except FPDFException:  # a character wider than the column
        expected = None
    ours = wrap(text, font.cw, size, pdf.k, width - 1.2 - 1.2)
    if ours is None:  # where fpdf2 cannot lay the text out either, or it makes a line of a lone space
        assert expected is None or "" in expected
        return
    assert [line for line, _ in ours] == expected
    for line, line_width in ours:
        assert line_width == pdf.get_string_width(line)


def test_wrap_leaves_what_fpdf2_treats_its_own_way_to_fpdf2() -> None:
    pdf = InvoicePDF(footer_text="", page_label="")
    font = pdf.current_font
    assert isinstance(font, TTFFont)
    for text in ["a\tb", "a\u00a0b", "roz\u00addział", "a\rb", "a\u2009b", "a\x0cb"]:
        assert wrap(text, font.cw, 8, pdf.k, 50) is None
    assert wrap("Hosting WWW", font.cw, pdf.font_size_pt, pdf.k, 50) == [
        ("Hosting WWW", pdf.get_string_width("Hosting WWW"))
    ]


def fpdf2_table(pdf: InvoicePDF, rows: list[list[str]]) -> None:
    """The table as fpdf2 drew it before our own rows (InvoicePDF.grid's former body)."""
    pdf.set_font(FONT, "", 8)
    with pdf.table(
        col_widths=WIDTHS,
        width=pdf.epw,
        line_height=4.2,
        headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL, size_pt=8),
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        markdown=False,
        padding=1.2,
        v_align="MIDDLE",
    ) as table:
        head = table.row()
        for text, align in zip(HEADINGS, ALIGNS, strict=True):
            head.cell(text, align=align)
        for index, values in enumerate(rows):
            row = table.row()
            for text, align in zip(values, ALIGNS, strict=True):
                row.cell(
                    text, align=align, style=FontFace(emphasis="BOLD", size_pt=8) if index == len(rows) - 1 else None
                )
    pdf.set_font(FONT, size=9)
    pdf.ln(1)


def placed_text(data: bytes) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per page: the extracted text and where each piece of text starts (the Td operands, in points)."""
    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        stream = page.get_contents().get_data().decode("latin-1")
        pages.append((page.extract_text(), re.findall(r"BT ([-\d.]+) ([-\d.]+) Td", stream)))
    return pages


def test_a_table_over_three_pages_prints_as_fpdf2s_table_did() -> None:
    rows = [
        [
            str(number),
            LONG
            if number % 7 == 3
            else f"Usługa nr {number} – hosting WWW\nrabat: 1,00"
            if number % 9 == 2
            else "Domena",
            "1",
            "szt." if number % 5 else "",  # an empty cell
            "12,34",
            "12,34",
            "23%",
        ]
        for number in range(1, 61)
    ]
    rows[10][1] = "z\u00adnakiem\tpodziału i\u00a0spacją niełamliwą"  # laid out by fpdf2 itself
    ours, theirs = (
        InvoicePDF(footer_text="FV/1", page_label="Strona"),
        InvoicePDF(footer_text="FV/1", page_label="Strona"),
    )
    for pdf in (ours, theirs):
        pdf.add_page()
        pdf.set_y(120)
    ours.grid(HEADINGS, rows, WIDTHS, ALIGNS, bold_last=True)
    fpdf2_table(theirs, rows)
    assert ours.get_y() == theirs.get_y() and ours.page_no() == theirs.page_no() == 3

    mine, before = placed_text(bytes(ours.output())), placed_text(bytes(theirs.output()))
    assert mine == before
    for text, _ in mine[1:]:  # the header row is repeated on top of every page
        assert text.startswith("Lp. Nazwa towaru lub usługi")


@settings(max_examples=150, deadline=None)
@given(
    text=texts,
    width=st.sampled_from([30.0, 60.0, 86.0, 180.0]),
    align=st.sampled_from([Align.L, Align.R, Align.C, Align.J]),
    new_x=st.sampled_from([XPos.LEFT, XPos.RIGHT, XPos.LMARGIN]),
    new_y=st.sampled_from([YPos.NEXT, YPos.TOP]),
    top=st.sampled_from([40.0, 250.0, 270.0]),  # the last two reach the page break
)
# a space, then a word longer than the column: fpdf2 writes the empty first line as a text of its own
@example(text=" " + "x" * 40, width=30.0, align=Align.L, new_x=XPos.LEFT, new_y=YPos.NEXT, top=40.0)
def test_paragraph_places_text_as_multi_cell_does(
    text: str, width: float, align: Align, new_x: XPos, new_y: YPos, top: float
) -> None:
    ours, theirs = (
        InvoicePDF(footer_text="FV/1", page_label="Strona"),
        InvoicePDF(footer_text="FV/1", page_label="Strona"),
    )
    for pdf in (ours, theirs):
        pdf.add_page()
        pdf.set_xy(40, top)
    ours.paragraph(width, 4.6, text, align=align, new_x=new_x, new_y=new_y)
    theirs.multi_cell(width, 4.6, text, align=align, new_x=new_x, new_y=new_y)
    assert (ours.get_x(), ours.get_y(), ours.page_no()) == (theirs.get_x(), theirs.get_y(), theirs.page_no())
    assert placed_text(bytes(ours.output())) == placed_text(bytes(theirs.output()))
