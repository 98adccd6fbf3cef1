"""Core tables. Plugins keep their own models in their packages."""

from core.models.accounts import AccountToken, Customer, RateEvent, Staff, WebSession
from core.models.activity import ActivityLog
from core.models.billing import (
    BillingProfile,
    Document,
    DocumentFile,
    DocumentSequence,
    LedgerEntry,
    Payment,
)
from core.models.catalogue import Product, ProductChangePath, ProductGroup, ProductPrice
from core.models.outbox import CronRun, OutboxMessage, Setting
from core.models.services import Service, ServiceChange

__all__ = [
    "AccountToken",
    "ActivityLog",
    "BillingProfile",
    "CronRun",
    "Customer",
    "Document",
    "DocumentFile",
    "DocumentSequence",
    "LedgerEntry",
    "OutboxMessage",
    "Payment",
    "Product",
    "ProductChangePath",
    "ProductGroup",
    "ProductPrice",
    "RateEvent",
    "Service",
    "ServiceChange",
    "Setting",
    "Staff",
    "WebSession",
]
