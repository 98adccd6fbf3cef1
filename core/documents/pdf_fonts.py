"""TrueType fonts for document PDFs: parsed once per process, subset per document.

fpdf2's ``add_font`` parses the whole font file (cmap, metrics and names of the
~6 000 DejaVu glyphs) for every document, then cuts the document's glyphs out of
that parsed copy in place when the PDF is written. Here a font file is parsed once
per process into a :class:`Face`; each document gets a :class:`DocumentFont` that
shares the face's read-only tables (metrics, cmap, descriptor) and keeps its own
glyph usage (subset map, missing glyphs, biggest size, index in the document), so
nothing one document prints reaches the next.

Writing the PDF subsets a fresh fontTools font read from bytes held in memory: the
face's Latin cut (Basic Latin, Latin-1, Latin Extended-A, punctuation, the euro
and minus signs; ~390 glyphs with the full font's glyph names) when the document uses only
those glyphs, else the full font. Both are read without recomputing bounding boxes
(the full font's are kept), so both give the same embedded subset, byte for byte.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

# Code points of the Latin cut: what Polish and other European names, addresses and
# amounts use. A document with any other character embeds a subset of the full font.
LATIN_RANGES = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x017F),  # Latin-1 Supplement, Latin Extended-A
    (0x2010, 0x203A),  # dashes, quotes, bullet, ellipsis, narrow no-break space, per mille, angle quotes
    (0x20AC, 0x20AC),  # euro sign
    (0x2116, 0x2116),  # numero sign
    (0x2122, 0x2122),  # trade mark sign
    (0x2212, 0x2212),  # minus sign: negative amounts on corrections
)

# The TTFFont attributes that belong to one document; every other one is the face's.
PER_DOCUMENT = frozenset({"i", "subset", "missing_glyphs", "biggest_size_pt", "ttfont", "_hbfont"})


def _read(data: bytes, *, lazy: bool | None) -> ttLib.TTFont:
    # recalcBBoxes=False: the full font's bounding boxes are kept, which makes a subset of
    # the Latin cut identical to a subset of the full font, and halves the subsetting time.
    return ttLib.TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False, lazy=lazy)


def _latin_cut(full: bytes) -> bytes:
    """The Latin code points of ``full`` as a font of their own, glyph names kept."""
    font = _read(full, lazy=None)  # glyphs stay as stored: decompiling would re-encode them
    options = ftsubset.Options(
        notdef_outline=True,
        recommended_glyphs=True,
        glyph_names=True,  # documents name their glyphs by the full font's names
        layout_features=[],  # fpdf2 drops the layout tables from what it embeds
        name_IDs=["*"],
        name_languages=["*"],
        ignore_missing_unicodes=True,
    )
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta"]
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(unicodes=[code for first, last in LATIN_RANGES for code in range(first, last + 1)])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Face:
    """One font file, parsed: fpdf2's font object for it, its bytes, and its Latin cut."""

    template: TTFFont
    full: bytes
    latin: bytes
    latin_glyphs: frozenset[str]

    def open_for(self, glyph_names: Iterable[str]) -> ttLib.TTFont:
        """A fresh fontTools font holding ``glyph_names``, for one document to subset."""
        return _read(self.latin if self.latin_glyphs.issuperset(glyph_names) else self.full, lazy=True)


_faces: dict[tuple[Path, str], Face] = {}
_faces_lock = threading.Lock()


def _parse(path: Path, fontkey: str, style: str) -> Face:
    template = TTFFont(FPDF(), path, fontkey, style)
    template.close()  # every table fpdf2 keeps is read; the file can be closed
    full = path.read_bytes()
    latin = _latin_cut(full)
    return Face(template, full, latin, frozenset(_read(latin, lazy=True).getGlyphOrder()))


def face(path: Path, family: str, style: str = "") -> Face:
    """The parsed font at ``path`` for ``family`` and ``style`` ("" or "B"): parsed on first use, then shared."""
    fontkey = f"{family.lower()}{style}"
    with _faces_lock:  # one parse per process, even with many threads rendering
        found = _faces.get((path, fontkey))
        if found is None:
            found = _faces[(path, fontkey)] = _parse(path, fontkey, style)
    return found


class DocumentFont(TTFFont):
    """One document's use of a :class:`Face`: shared tables, its own glyphs.

    Its fontTools font is read when fpdf2 first asks for it, which is when the PDF
    is written and the document's glyphs are known.
    """

    __slots__ = ("_opened", "_units", "face")

    def __init__(self, face: Face, index: int) -> None:  # not TTFFont.__init__: that parses the file
        for name in TTFFont.__slots__:
            if name not in PER_DOCUMENT and hasattr(face.template, name):
                setattr(self, name, getattr(face.template, name))
        self.face = face
        self._opened: ttLib.TTFont | None = None
        self._hbfont = None
        self.i = index
        self.biggest_size_pt = 0
        self.missing_glyphs = []
        self.subset = SubsetMap(self)
        self._units: dict[str, float] = {}  # text -> width in font units, whole numbers

    def get_text_width(
        self, text: str, font_size_pt: float, text_shaping_params: dict[str, Any] | None
    ) -> tuple[int, float]:
        """fpdf2's (characters, width in points) of ``text``, the same numbers, from remembered prefixes.

        fpdf2's line breaking asks for the width of every growing prefix of a line
        ("H", "Ho", "Hos"...), each summed from scratch; widths are whole font units,
        so a prefix's sum plus the next character's width is exactly the sum.
        """
        if text_shaping_params or self.is_symbol or not text:
            return super().get_text_width(text, font_size_pt, text_shaping_params)
        if font_size_pt > self.biggest_size_pt:
            self.biggest_size_pt = font_size_pt
        units = self._units.get(text)
        if units is None:
            prefix = self._units.get(text[:-1])
            units = sum(map(self.cw.__getitem__, map(ord, text))) if prefix is None else prefix + self.cw[ord(text[-1])]
            self._units[text] = units
        return len(text), units * font_size_pt * 0.001

    @property
    def ttfont(self) -> ttLib.TTFont:
        """This document's fontTools font, read on first use from the smallest face holding its glyphs."""
        if self._opened is None:
            self._opened = self.face.open_for(self.subset.get_all_glyph_names())
        return self._opened

    @ttfont.setter
    def ttfont(self, value: ttLib.TTFont) -> None:
        self._opened = value


def add_document_font(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """Register the font at ``path`` as ``family``/``style`` in ``pdf``, like ``FPDF.add_font``.

    The file is parsed on the first call in the process; the document gets its own
    glyph usage, so two documents never share a subset.
    """
    parsed = face(path, family, style)
    pdf.fonts[parsed.template.fontkey] = DocumentFont(parsed, len(pdf.fonts) + 1)
