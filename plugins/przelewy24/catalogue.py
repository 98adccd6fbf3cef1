"""P24's list of payment methods: cached, turned into the bank list and into "how was it paid".

``GET /payment/methods/{lang}`` lists every method of the account with its
``group`` (``FastTransfers``, ``eTransfer``, ``Blik``, ``Credit Card``,
``Wallet``...). hookbill uses it twice:

* the bank list on our payment step (active methods of the transfer groups),
  so the customer picks the bank before leaving for P24;
* the kind of a notified payment (``methodId``), which decides the payment
  method code it is booked under and so the FA(3) ``FormaPlatnosci``: ``Blik``
  is BLIK (7); ``Credit Card`` and card wallets (Apple Pay, Google Pay) are a
  card (2); everything else is a transfer (6). An id not in the list keeps the
  kind the customer chose.

The list is cached in the database per language (``p24_method_cache``) for
``methods_cache_minutes``, so every app node shares one copy and P24 is asked
about once an hour, not on every page. When P24 cannot be reached the stale
copy is used; with no copy at all, the bank list is empty and the customer
chooses the bank on P24's own page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import peewee

from core import clock, db
from plugins.przelewy24.client import P24Client, P24Error
from plugins.przelewy24.models import P24MethodCache
from plugins.przelewy24.settings import P24Settings

log = logging.getLogger("hookbill.przelewy24")

TRANSFER_GROUPS = frozenset({"FastTransfers", "eTransfer"})
KIND_OF_GROUP = {"Blik": "blik", "Credit Card": "card", "Wallet": "card"}
#: The languages P24 names its methods in; the first is the one kept for telling kinds apart.
LANGUAGES = ("pl", "en")


@dataclass(frozen=True)
class Bank:
    """A bank the customer can pick on our payment step: P24's method id and its name."""

    id: int
    name: str


def _store(lang: str, methods: list[dict[str, Any]]) -> None:
    with db.write_transaction():
        updated = (
            P24MethodCache.update(methods=methods, fetched_at=clock.utcnow())
            .where(P24MethodCache.lang == lang)
            .execute()
        )
        if not updated:
            try:
                with db.write_transaction():  # a savepoint: another node may insert first
                    P24MethodCache.create(lang=lang, methods=methods, fetched_at=clock.utcnow())
            except peewee.IntegrityError:
                pass


def methods(settings: P24Settings, lang: str) -> list[dict[str, Any]]:
    """The account's methods in ``lang`` (one of :data:`LANGUAGES`, else English), from the cache or freshly fetched.

    Network I/O when the cache is older than ``methods_cache_minutes``: call
    it outside a transaction.
    """
    lang = lang if lang in LANGUAGES else LANGUAGES[-1]
    cached = P24MethodCache.get_or_none(P24MethodCache.lang == lang)
    fresh_after = clock.utcnow() - timedelta(minutes=settings.methods_cache_minutes)
    if cached is not None and cached.fetched_at >= fresh_after:
        return list(cached.methods)
    try:
        fetched = P24Client(settings).payment_methods(lang)
    except P24Error:
        log.warning("the list of Przelewy24 methods could not be fetched; using %s", "the cache" if cached else "none")
        return list(cached.methods) if cached is not None else []
    _store(lang, fetched)
    return fetched


def banks(settings: P24Settings, lang: str) -> list[Bank]:
    """Active pay-by-link banks of the account, by name."""
    found = [
        Bank(int(m["id"]), str(m.get("name") or m["id"]))
        for m in methods(settings, lang)
        if m.get("status") and m.get("group") in TRANSFER_GROUPS and isinstance(m.get("id"), int)
    ]
    return sorted(found, key=lambda bank: bank.name.casefold())


def kind_of(settings: P24Settings, method_id: int | None, chosen: str) -> str:
    """``blik``, ``card`` or ``transfer`` for P24 method ``method_id``; ``chosen`` when unknown."""
    if method_id is None:
        return chosen
    for method in methods(settings, LANGUAGES[0]):
        if method.get("id") == method_id:
            return KIND_OF_GROUP.get(str(method.get("group")), "transfer")
    return chosen
