"""Demo departments: Techniczny, Rozliczenia, Sprzedaż (called from :func:`core.demo.load_demo_data`)."""

from __future__ import annotations

from core.models import Staff
from core.tickets.models import Department, DepartmentMember

DEPARTMENTS = (
    ("Techniczny", "techniczny", "Problemy z usługami, serwerami, pocztą i domenami.", "tech@hostownia.test"),
    ("Rozliczenia", "rozliczenia", "Faktury, płatności, dane do faktury.", "faktury@hostownia.test"),
    ("Sprzedaż", "sprzedaz", "Pytania przed zakupem i oferty indywidualne.", "sprzedaz@hostownia.test"),
)


def load_demo_departments(staff: Staff | None = None) -> list[Department]:
    """Create the three demo departments (inside the caller's transaction); ``staff`` joins each."""
    created = []
    for position, (name, slug, description, email) in enumerate(DEPARTMENTS):
        department = Department.create(
            name=name, slug=slug, description=description, notify_email=email, position=position
        )
        if staff is not None:
            DepartmentMember.create(department=department, staff=staff)
        created.append(department)
    return created
