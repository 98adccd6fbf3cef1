"""Fonts parsed once per process: the same text as before, and no glyphs shared between documents."""

from __future__ import annotations

import base64
import io
import json
import re
import runpy
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from pypdf import PdfReader

from core.documents import LineInput, Party
from core.documents.pdf import render_pdf
from core.documents.pdf_fonts import add_document_font, face
from core.documents.pdf_layout import FONT, FONT_DIR
from core.testing.helpers import Clock
from tests.document_samples import sample_snapshot

ROOT = Path(__file__).resolve().parent.parent
FROZEN = "2026-03-16T12:00:00"

# Characters only the other document prints: Greek and Cyrillic are outside the Latin cut.
FOREIGN_BUYER = Party(
    kind="private",
    name="Ωμέγα Жуков Œuvre",
    address_line1="ул. Ленина 7",
    postcode="101000",
    city="Москва",
    country="RU",
)
FOREIGN_LINES = (LineInput("Ψ-hosting Ясень ½ € № ™", Decimal(1), "szt.", Decimal("10.00")),)


def page_texts(data: bytes) -> list[str]:
    """Each page's text as pypdf extracts it (the extractor the suite uses), not collapsed."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def embedded_fonts(data: bytes) -> list[tuple[set[str], set[str]]]:
    """For each embedded font: the characters its ToUnicode map knows, and its glyphs' names.

    The names are fontTools' reading of the embedded program (fpdf2 keeps no names), so
    only their number is meaningful."""
    found = []
    reader = PdfReader(io.BytesIO(data))
    seen = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if id(font) in seen:
                continue
            seen.add(id(font))
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            chars = {chr(int(code, 16)) for code in re.findall(r"<[0-9A-F]{4}> <([0-9A-F]{4})>", cmap)}
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = ttLib.TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            found.append((chars, set(program.getGlyphOrder())))
    return found


def test_sample_documents_print_the_text_they_printed_before() -> None:
    # samples.json was written by scripts/pdf_text_snapshot.py while every document
    # still parsed its fonts with fpdf2's add_font
    stored = json.loads((ROOT / "tests/data/pdf_text/samples.json").read_text(encoding="utf-8"))
    sample_texts = runpy.run_path(str(ROOT / "scripts/pdf_text_snapshot.py"))["sample_texts"]
    now = sample_texts()
    assert set(now) == set(stored) and len(stored) == 24
    for key, pages in stored.items():
        assert now[key] == pages, key


def test_a_document_embeds_only_its_own_glyphs_whatever_was_rendered_before(hookbill_clock: Clock) -> None:
    hookbill_clock.freeze(FROZEN)
    mine = sample_snapshot("vat", buyer="private")
    first = render_pdf(mine, lang="pl")
    other = render_pdf(sample_snapshot("vat", buyer=FOREIGN_BUYER, lines=FOREIGN_LINES), lang="pl")
    again = render_pdf(mine, lang="pl")

    # the same bytes as the first document of a fresh process
    script = (
        "import base64, sys; from core import clock; clock.freeze(sys.argv[1]);"
        "from core.documents.pdf import render_pdf; from tests.document_samples import sample_snapshot;"
        "sys.stdout.write(base64.b64encode(render_pdf(sample_snapshot('vat', buyer='private'), lang='pl')).decode())"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", script, FROZEN], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    assert base64.b64decode(fresh) == first == again

    text = "".join(page_texts(again))
    foreign = set("ΩμέγαЖуковЛенинаМоскваΨЯсень")
    other_fonts = embedded_fonts(other)
    assert foreign <= set().union(*(chars for chars, _ in other_fonts))
    assert "Ωμέγα Жуков Œuvre" in "".join(page_texts(other)) and "Ψ-hosting Ясень ½ € № ™" in "".join(page_texts(other))
    for chars, glyphs in embedded_fonts(again):
        assert chars - {"\x00", "\uffff"} <= set(text) | {" "}, chars - set(text)  # less .notdef
        assert not chars & foreign
        assert len(glyphs) <= len(chars) + 5  # its own characters, .notdef and the few fontTools always keeps


def test_the_latin_cut_and_the_full_font_give_the_same_subset() -> None:
    regular = face(FONT_DIR / "DejaVuSans.ttf", FONT)
    cmap = regular.template.cmap
    names = sorted({cmap[ord(ch)] for ch in "Zażółć gęślą jaźń – FV/2026/03/0007 100,00 €"} | {".notdef"})
    small = regular.open_for(names)
    full = regular.open_for([*names, cmap[ord("Ж")]])
    assert len(small.getGlyphOrder()) < 500 < len(full.getGlyphOrder())

    def cut(font: ttLib.TTFont) -> bytes:
        options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True)
        options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta"]  # as fpdf2 embeds fonts
        subsetter = ftsubset.Subsetter(options)
        subsetter.populate(glyphs=names)
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        return out.getvalue()

    assert cut(small) == cut(full)


def test_shared_fonts_print_the_same_text_as_fonts_added_per_document() -> None:
    lines = ["Zażółć gęślą jaźń ZAŻÓŁĆ GĘŚLĄ JAŹŃ", "Müller Straße „cytat” – 1 234,56 €", "Ωμέγα Жуков Ψ № ™ ½"]

    def write(add: str) -> bytes:
        pdf = FPDF()
        for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
            if add == "fpdf2":
                pdf.add_font(FONT, style, FONT_DIR / name)
            else:
                add_document_font(pdf, FONT, style, FONT_DIR / name)
        pdf.add_page()
        for index, line in enumerate(lines):
            pdf.set_font(FONT, "B" if index % 2 else "", 10 + index)
            pdf.multi_cell(60, 5, line, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())

    ours = write("shared")
    assert page_texts(ours) == page_texts(write("fpdf2"))
    assert all(line.replace(" ", "") in page_texts(ours)[0].replace(" ", "").replace("\n", "") for line in lines)
