"""Helpers shared by the ticket tests: departments, services, opening tickets by the web form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from flask.testing import FlaskClient

from core import db
from core.models import Customer, Product, ProductGroup, Service
from core.tickets.models import Department, DepartmentMember, Ticket, TicketAttachment, TicketMessage
from tests.helpers import csrf


def make_department(name: str = "Techniczny", slug: str = "techniczny", staff: Any = None, **fields: Any) -> Department:
    """A visible department with a notification address."""
    with db.connection():
        department = Department.create(name=name, slug=slug, notify_email=f"{slug}@hostownia.test", **fields)
        if staff is not None:
            DepartmentMember.create(department=department, staff=staff)
        return department


def make_service(customer: Customer, label: str = "zazolc.pl") -> Service:
    """An active hosting service of ``customer``."""
    with db.connection():
        group = ProductGroup.get_or_none(ProductGroup.slug == "hosting") or ProductGroup.create(
            name="Hosting", slug="hosting"
        )
        product = Product.get_or_none(Product.slug == "start") or Product.create(
            group=group, name="Hosting Start", slug="start", features=[]
        )
        return Service.create(
            customer=customer,
            product=product,
            cycle="monthly",
            label=label,
            anchor_date=date(2026, 3, 1),
            period_start=date(2026, 3, 1),
            next_due=date(2026, 4, 1),
            recurring_net=Decimal("25.00"),
        )


def open_ticket(
    client: FlaskClient,
    department: Department,
    *,
    subject: str = "Serwer nie działa",
    body: str = "Dzień dobry, proszę o pomoc.",
    files: list[tuple[bytes, str]] = (),
    encrypt: bool = False,
    **extra: Any,
) -> Any:
    """POST the new-ticket form as a browser would (multipart, CSRF token)."""
    data: dict[str, Any] = {
        "csrf_token": csrf(client, "/tickets/new"),
        "department_id": str(department.id),
        "subject": subject,
        "priority": "medium",
        "service_id": "0",
        "body": body,
        **extra,
    }
    if encrypt:
        data["encrypt"] = "1"
    data["attachments"] = [(BytesIO(content), name) for content, name in files]
    return client.post("/tickets/new", data=data, content_type="multipart/form-data")


def counts() -> tuple[int, int, int]:
    """(tickets, messages, attachments) in the database."""
    with db.connection():
        return Ticket.select().count(), TicketMessage.select().count(), TicketAttachment.select().count()
