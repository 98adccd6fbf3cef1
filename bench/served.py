"""The panel as gunicorn serves it in the page benchmarks, with its floor beside it in the same app.

gunicorn loads ``bench.served:app`` (``--preload``: the master builds it, the
workers fork from it, as in production). The database is ``$BENCH_DB_URL``.

Besides the real pages the app has ``/floor/``, ``/floor/services`` and
``/floor/invoices``: the same templates rendered from the same customer's data,
read once per worker and then held in memory. They need no session and send no
SQL, so the difference to the real page is what the database, the session and
the per-request work cost.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from flask import Blueprint, Flask, g, render_template

from bench.seeding import EMAIL
from core import db
from core.app import create_app
from core.balance_view import balance_of
from core.config import load_config
from core.documents.state import paid_on
from core.models import Customer, Document, Service

floor = Blueprint("floor", __name__, url_prefix="/floor")
_memory: dict[str, Any] = {}


def _data() -> dict[str, Any]:
    """The customer's services, documents and balance, read on the first floor request of this worker."""
    if not _memory:
        with db.connection():
            customer = Customer.get(Customer.email == EMAIL)
            services = list(Service.with_product().where(Service.customer == customer).order_by(Service.id))
            documents = list(
                Document.select()
                .where(Document.customer == customer)
                .order_by(Document.issue_date.desc(), Document.id.desc())
            )
            _memory.update(
                customer=customer,
                services=services,
                active=[s for s in services if s.status != "terminated"],
                documents=documents,
                unpaid=sum(1 for d in documents if d.status in ("unpaid", "partially_paid")),
                paid_on={d.id: paid_on(d) for d in documents},
                balance=balance_of(customer.id),
            )
    g.customer = _memory["customer"]
    return _memory


@floor.route("/")
def dashboard() -> Any:
    """client/dashboard.html from memory."""
    data = _data()
    return render_template(
        "client/dashboard.html", services=data["active"], unpaid_count=data["unpaid"], balance=data["balance"]
    )


@floor.route("/services")
def services() -> Any:
    """client/services.html from memory."""
    return render_template("client/services.html", services=_data()["services"])


@floor.route("/invoices")
def invoices() -> Any:
    """client/invoices.html from memory."""
    data = _data()
    return render_template(
        "client/invoices.html", documents=data["documents"], paid_on=data["paid_on"], balance=data["balance"]
    )


def build(url: str) -> Flask:
    """The app on the database at ``url``, with the floor routes."""
    instance = tempfile.mkdtemp(prefix="hookbill-bench-")
    config = load_config(
        overrides={
            "database": {"url": url},
            "app": {"secret_key": "bench", "instance_path": instance},
            "outbox": {"process_after_request": False},
        },
        environ={},
        use_files=False,
    )
    application = create_app(config)
    application.register_blueprint(floor)
    return application


app = build(os.environ["BENCH_DB_URL"]) if "BENCH_DB_URL" in os.environ else None
