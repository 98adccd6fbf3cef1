"""Invoice PDF cost: N sample invoices vs N blank fpdf2 pages with the same font.

    python bench/bench_pdf.py [-n 50]

Prints milliseconds per document (time.perf_counter, tracing off) and the peak
memory of one document (tracemalloc, in a separate pass so tracing does not skew
the timing). The blank page pays for the same TTF parsing and subsetting, so the
difference is the cost of hookbill's layout.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fpdf import FPDF

from core.documents.pdf import render_pdf
from core.documents.pdf_layout import FONT, FONT_DIR
from tests.document_samples import sample_snapshot


def blank_page() -> bytes:
    """One A4 page with the DejaVu fonts registered and a line of text."""
    pdf = FPDF(format="A4")
    pdf.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_font(FONT, size=9)
    pdf.add_page()
    pdf.cell(text="Zażółć gęślą jaźń")
    return bytes(pdf.output())


def measure(name: str, make: Callable[[], bytes], n: int) -> None:
    make()  # warm-up: imports, caches
    start = time.perf_counter()
    size = 0
    for _ in range(n):
        size = len(make())
    per_doc = (time.perf_counter() - start) * 1000 / n
    tracemalloc.start()
    make()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{name:<22} {per_doc:8.1f} ms/doc   peak {peak / 1e6:6.1f} MB   {size / 1024:6.1f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="documents per case")
    n = parser.parse_args().n
    vat = sample_snapshot("vat")
    correction = sample_snapshot("correction")
    print(f"n={n}, python {sys.version.split()[0]}")
    measure("blank page (fonts)", blank_page, n)
    measure("VAT invoice", lambda: render_pdf(vat, lang="pl"), n)
    measure("correcting invoice", lambda: render_pdf(correction, lang="pl"), n)


if __name__ == "__main__":
    main()
