"""A customer's request to cancel a service, and what staff decided about it."""

from __future__ import annotations

import peewee

from core.models.accounts import Customer
from core.models.base import BaseModel, utc_now
from core.models.services import Service

#: ``requested`` waits for staff; ``approved`` waits for its day; ``done`` ended the service;
#: ``refused`` (staff said no) and ``withdrawn`` (the customer took it back) changed nothing.
CANCELLATION_STATUSES = ("requested", "approved", "refused", "withdrawn", "done")
#: The requests that stop renewals: the service is on its way out.
OPEN_CANCELLATION = ("requested", "approved")
#: When the service ends: on the last day of the period paid for, or as soon as staff approve.
CANCELLATION_TIMINGS = ("end_of_period", "immediate")


class CancellationRequest(BaseModel):
    """A customer asked to end ``service`` (:mod:`core.services.cancellation`).

    ``ends_on`` is the day the service ends: its ``next_due`` when the request
    was made (the end of the period paid for) for ``end_of_period``, the day of
    the request for ``immediate``. At most one request of a service is open
    (``requested`` or ``approved``) at a time.
    """

    service = peewee.ForeignKeyField(Service, backref="cancellations", on_delete="CASCADE")
    service_id: int
    customer = peewee.ForeignKeyField(Customer, on_delete="RESTRICT")
    customer_id: int
    timing = peewee.CharField(max_length=16)
    reason = peewee.TextField(default="")
    status = peewee.CharField(max_length=16, default="requested", index=True)
    ends_on = peewee.DateField()
    requested_at = peewee.DateTimeField(default=utc_now)
    decided_at = peewee.DateTimeField(null=True)
    decided_by = peewee.IntegerField(null=True)
    staff_note = peewee.TextField(default="")
    done_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "cancellation_request"
        #: Staff's list: the requests of a status, a page at a time by keyset.
        indexes = ((("status", "id"), False),)
