"""Staff change a service's status: provision, suspend, unsuspend, terminate, cancel.

One function, :func:`set_service_status`, checks the transition, saves the
status, calls ``on_service_status_changed`` inside the transaction (a plugin may
refuse), records the activity and queues the provisioning module's action in
the outbox, which tells the control panel after commit.
"""

from __future__ import annotations

from typing import Any

from core import activity, clock, db, outbox, runtime
from core.errors import Conflict, NotFound
from core.i18n import N_
from core.models import Service
from core.renewals.schedule import mark_service

# status -> statuses it may move to, and the provisioning action each move needs.
TRANSITIONS: dict[str, dict[str, str | None]] = {
    "pending": {"active": "create", "cancelled": None},
    "active": {"suspended": "suspend", "terminated": "terminate", "cancelled": "terminate"},
    "suspended": {"active": "unsuspend", "terminated": "terminate", "cancelled": "terminate"},
    "terminated": {},
    "cancelled": {},
}


def allowed_statuses(current: str) -> list[str]:
    """The statuses a service in ``current`` may be moved to."""
    return list(TRANSITIONS.get(current, {}))


def set_service_status(service_id: int, new_status: str, staff: Any, *, reason: str = "", ip: str = "") -> Service:
    """Move a service to ``new_status``; raises Conflict for a transition that is not allowed."""
    with db.write_transaction():
        service = Service.get_or_none(Service.id == service_id)
        if service is None:
            raise NotFound()
        old = service.status
        if new_status not in TRANSITIONS.get(old, {}):
            raise Conflict(N_("This status change is not allowed."), code="bad_transition")
        action = TRANSITIONS[old][new_status]
        service.status = new_status
        service.updated_at = clock.utcnow()
        service.save()
        runtime.hooks().on_service_status_changed(service=service, old_status=old, new_status=new_status)
        mark_service(service.id)  # its open renewal may be obsolete now, or its dunning step possible again
        activity.record("service.status", actor=staff, subject=service, ip=ip, old=old, new=new_status, reason=reason)
        if action is not None:
            outbox.enqueue("provisioning", {"service_id": service.id, "action": action})
    return service
