"""Invoice PDF throughput, side by side with its floor: a blank page with the same fonts.

    .venv/bin/python -m bench.bench_pdf [-n 20] [--rounds 7]

Each round renders n documents of every case, in a rotating order, so that the
cases share the machine's ups and downs; a case's figure for a round is its mean
CPU time (``time.process_time``) per document, which a busy shared machine inflates
far less than wall time. Printed per case: CPU milliseconds per document (min and
median over rounds), documents per second on one core (from the median), the ratio
to the floor in the same round (min and median), and the median wall time. The floor registers the same two
DejaVu fonts the same way (parsed once per process, subset per document) and
prints one line, so the ratio is the cost of hookbill's layout and of its glyphs.
The first document of the process (parsing the fonts and cutting their Latin
faces) is timed on its own, and the peak memory of one document is traced
(tracemalloc) outside the timed rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fpdf import FPDF

from core.documents.pdf import render_pdf
from core.documents.pdf_fonts import add_document_font
from core.documents.pdf_layout import FONT, FONT_DIR
from tests.document_samples import sample_snapshot

FLOOR = "blank page, same fonts"


def blank_page() -> bytes:
    """One A4 page with the DejaVu fonts registered as invoices register them, and a line of text."""
    pdf = FPDF(format="A4")
    add_document_font(pdf, FONT, "", FONT_DIR / "DejaVuSans.ttf")
    add_document_font(pdf, FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_font(FONT, size=9)
    pdf.add_page()
    pdf.cell(text="Zażółć gęślą jaźń")
    return bytes(pdf.output())


def per_document(make: Callable[[], bytes], n: int) -> tuple[float, float]:
    """Mean CPU seconds of this process and mean wall seconds per document, over ``n`` documents."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        make()
    return (time.process_time() - cpu) / n, (time.perf_counter() - wall) / n


def peak_memory(make: Callable[[], bytes]) -> tuple[float, int]:
    """Peak traced memory (MB) of one document, and its size in bytes."""
    tracemalloc.start()
    size = len(make())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="documents per case and round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    vat = sample_snapshot("vat")
    correction = sample_snapshot("correction")
    cases: dict[str, Callable[[], bytes]] = {
        FLOOR: blank_page,
        "VAT invoice": lambda: render_pdf(vat, lang="pl"),
        "correcting invoice": lambda: render_pdf(correction, lang="pl"),
    }
    start = time.perf_counter()
    cases["VAT invoice"]()
    first = time.perf_counter() - start
    for make in cases.values():  # warm-up: imports, caches
        make()

    times: dict[str, list[float]] = {name: [] for name in cases}
    walls: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for round_ in range(args.rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            cpu, wall = per_document(cases[name], args.n)
            times[name].append(cpu)
            walls[name].append(wall)

    print(f"python {sys.version.split()[0]}, n={args.n} per case and round, {args.rounds} rounds interleaved")
    print(f"first document of the process (fonts parsed, Latin faces cut): {first * 1000:.0f} ms")
    heading = f"{'case':<24} {'CPU ms/doc min':>14} {'median':>6} {'docs/s':>6} {'x floor min':>11} {'median':>6}"
    print(f"{heading} {'wall ms':>7}  peak MB  size KiB")
    for name, make in cases.items():
        ratios = [mine / floor for mine, floor in zip(times[name], times[FLOOR], strict=True)]
        median = statistics.median(times[name])
        peak, size = peak_memory(make)
        print(
            f"{name:<24} {min(times[name]) * 1000:14.1f} {median * 1000:6.1f} {1 / median:6.1f}"
            f" {min(ratios):11.2f} {statistics.median(ratios):6.2f} {statistics.median(walls[name]) * 1000:7.1f}"
            f"  {peak:7.1f}  {size / 1024:8.1f}"
        )


if __name__ == "__main__":
    main()
