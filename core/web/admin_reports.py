"""Admin area: reports for the provider's bookkeeping; today the register of sales.

``/admin/reports/sales-register?month=YYYY-MM`` shows a month's register
(:mod:`core.documents.register`), the previous month by default (the one a
VAT return is filed for); ``.../sales-register.csv`` downloads it for a
bookkeeping program. A month that is not ``YYYY-MM`` is a message on the page,
never a 500.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext

from core import clock
from core.documents.pdf_labels import fmt_rate
from core.documents.register import month_of, sales_register, to_csv
from core.web.access import staff_required

bp = Blueprint("admin_reports", __name__, url_prefix="/admin/reports")


def _previous_month(today: date) -> date:
    first = month_of(today)
    return month_of(date.fromordinal(first.toordinal() - 1))


def chosen_month(value: str | None) -> date | None:
    """The month named by ``value`` (``YYYY-MM``; empty means the previous month), or None when it names none."""
    text = (value or "").strip()
    if not text:
        return _previous_month(clock.today())
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            return None
        return date(int(year), int(month), 1)
    except ValueError:
        return None


@bp.route("/sales-register")
@staff_required("billing")
def sales_register_page() -> Any:
    """The register of sales of the chosen month, with its sums per rate."""
    month = chosen_month(request.args.get("month"))
    error = "" if month is not None else gettext("Enter a month as year and month, e.g. 2026-03.")
    register = sales_register(month) if month is not None else None
    return render_template(
        "admin/sales_register.html",
        register=register,
        month_text=month.strftime("%Y-%m") if month else request.args.get("month", "")[:20],
        error=error,
        rate_text=fmt_rate,
    ), (200 if month is not None else 400)


@bp.route("/sales-register.csv")
@staff_required("billing")
def sales_register_csv() -> Any:
    """The register of sales of the chosen month as CSV; a bad month answers 400 with the message."""
    month = chosen_month(request.args.get("month"))
    if month is None:
        return Response(gettext("Enter a month as year and month, e.g. 2026-03."), status=400, mimetype="text/plain")
    response = Response(to_csv(sales_register(month)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="sales-register-{month:%Y-%m}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
