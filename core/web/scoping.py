"""The logged-in customer's own objects, or 404: the one scoping check client views share.

Another customer's object answers 404 exactly like one that does not exist;
under ``/api/`` the error handler turns the 404 into JSON.
"""

from __future__ import annotations

from flask import abort, g

from core.models import Document, Service


def own_service(service_id: int) -> Service:
    """The logged-in customer's service ``service_id``, or 404."""
    service = Service.get_or_none((Service.id == service_id) & (Service.customer == g.customer))
    if service is None:
        abort(404)
    return service


def own_document(document_id: int) -> Document:
    """The logged-in customer's document ``document_id``, or 404."""
    document = Document.get_or_none((Document.id == document_id) & (Document.customer == g.customer))
    if document is None:
        abort(404)
    return document
