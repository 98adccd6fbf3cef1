"""Writing to the activity log: one function, used by every staff and security action."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.models import ActivityLog


def record(
    action: str,
    *,
    actor: Any = None,
    actor_kind: str | None = None,
    subject: Any = None,
    subject_type: str = "",
    customer_id: int | None = None,
    ip: str = "",
    **details: Any,
) -> ActivityLog:
    """Append one event to the activity log in the current transaction.

    ``actor`` is a Customer or Staff (or None for ``system``). ``subject`` is any
    model instance; its table name and id are stored. ``details`` must never
    contain secrets, codes or plaintext of encrypted messages.
    """
    from core.models import Customer, Staff

    if actor_kind is None:
        actor_kind = "staff" if isinstance(actor, Staff) else "customer" if isinstance(actor, Customer) else "system"
    if subject is not None and not subject_type:
        subject_type = subject._meta.table_name
    if customer_id is None:
        if isinstance(subject, Customer):
            customer_id = subject.id
        elif subject is not None and hasattr(subject, "customer_id"):
            customer_id = subject.customer_id
        elif isinstance(actor, Customer):
            customer_id = actor.id
    return ActivityLog.create(
        actor_kind=actor_kind,
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "email", "") if actor is not None else "",
        action=action,
        subject_type=subject_type,
        subject_id=getattr(subject, "id", None),
        customer_id=customer_id,
        details=details,
        ip=ip,
    )


def record_many(action: str, events: Sequence[tuple[Any, dict[str, Any]]]) -> None:
    """Append many system events of one ``action`` in one statement: ``(subject, details)`` each.

    What :func:`record` writes for ``record(action, subject=subject, **details)``
    with no actor; the subject's ``customer_id`` is the customer. For a batch
    that logs one event per item of its work (the renewal run).
    """
    if not events:
        return
    ActivityLog.insert_many(
        [
            {
                "actor_kind": "system",
                "actor_id": None,
                "actor_name": "",
                "action": action,
                "subject_type": subject._meta.table_name,
                "subject_id": subject.id,
                "customer_id": getattr(subject, "customer_id", None),
                "details": details,
                "ip": "",
            }
            for subject, details in events
        ]
    ).execute()
