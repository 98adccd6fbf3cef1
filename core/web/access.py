"""Who is logged in, and the guards every client and admin view uses.

A session belongs to at most one account: ``_user_kind`` (customer | staff),
``_user_id`` and ``_auth`` (``full``, or ``partial`` while a second factor is
due). :func:`load_account` runs before every request: it drops sessions of
accounts that were suspended or deleted, and sends a partial session to its
second-factor page from anywhere else.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from core import activity, db, runtime
from core.models import Customer, Staff
from core.plugins import describe_failure
from core.web.redirects import local_path

F = TypeVar("F", bound=Callable[..., Any])
ALWAYS_ALLOWED_ENDPOINTS = {"static", "auth.logout", "admin.logout", "auth.set_language"}


def client_ip() -> str:
    """The client's address: what every rate limit, the activity log and the session rows record.

    Behind reverse proxies, ``app.trusted_proxies`` makes it the address the
    nearest trusted proxy saw (:func:`core.app.configure_proxies`); without
    it, the socket's address, whatever ``X-Forwarded-For`` says.
    """
    return request.remote_addr or ""


def load_account() -> Response | None:
    """Before each request: set ``g.customer`` / ``g.staff``; enforce partial sessions."""
    g.customer = None
    g.staff = None
    kind = session.get("_user_kind")
    user_id = session.get("_user_id")
    if not kind or not user_id:
        return None
    model = Customer if kind == "customer" else Staff
    account = model.get_or_none(model.id == user_id)
    if account is None or not account.can_log_in:
        session.destroy(keep=language_of_session())  # type: ignore[attr-defined]
        return None
    if session.get("_auth") == "partial":
        if request.path.startswith("/api/"):
            return None  # not authenticated for the API (401 there), no redirect to a page
        target = session.get("_second_factor_url", "")
        if request.endpoint in ALWAYS_ALLOWED_ENDPOINTS or (target and request.path.startswith(target)):
            g.pending_account = account
            return None
        return redirect(target or url_for("auth.login"))
    if session.get("_auth") != "full":
        return None  # a login that never finished (refused, or it failed) logs nobody in
    if kind == "customer":
        g.customer = account
    else:
        g.staff = account
    return None


#: Session keys that outlive a login and a logout: the visitor's language, and
#: whether they chose it themselves before logging in.
LANGUAGE_KEYS = ("lang", "lang_chosen")
#: Session keys a login keeps besides the language: a visitor's cart and its
#: promotion code (:mod:`core.orders.cart`), so the cart survives logging in and signing up.
KEPT_ON_LOGIN = (*LANGUAGE_KEYS, "cart", "cart_promo")


def start_login(account: Customer | Staff, kind: str, next_url: str = "") -> str | None:
    """After a right password: renew the session, and either finish or ask for a second factor.

    Returns the second-factor URL when one is due (the session is then partial,
    and ``next_url`` is kept for :func:`after_login_url`), else None (the login
    is complete). The language the visitor chose before logging in stays, and
    so does their cart (:data:`KEPT_ON_LOGIN`).
    """
    kept = {key: session[key] for key in KEPT_ON_LOGIN if key in session}
    session.clear()
    session.update(kept)
    session.regenerate()  # type: ignore[attr-defined]
    session["_user_kind"] = kind
    session["_user_id"] = account.id
    target = runtime.hooks().login_second_factor(account=account, kind=kind)
    if target:
        session["_auth"] = "partial"
        session["_second_factor_url"] = target
        if local_path(next_url):
            session["_next_after_login"] = next_url
        return str(target)
    _finish_login(account, kind)
    return None


def _finish_login(account: Customer | Staff, kind: str) -> None:
    """Run ``on_login``; only when every implementation returned is the session logged in.

    A language the visitor chose before logging in becomes the customer's
    language (for mail too), in the login transaction. A refusal
    (:class:`core.hookspecs.HookRefused`) or any other failure rolls the login
    transaction back, forgets the login in this session (the visitor stays a
    visitor, with their language) and is raised on to the view.
    """
    from core.accounts import service as accounts

    chosen = session.get("lang_chosen") and session.get("lang") in runtime.config().get_value("app.languages")
    try:
        with db.write_transaction():
            if isinstance(account, Customer) and chosen:
                accounts.set_language(account, str(session["lang"]), ip=client_ip())
            runtime.hooks().on_login(account=account, kind=kind, ip=client_ip())
            accounts.note_login(account, kind, client_ip())
            activity.record(f"{kind}.login", actor=account, subject=account, ip=client_ip())
    except BaseException:
        kept = {key: session[key] for key in LANGUAGE_KEYS if key in session}
        session.clear()
        session.update(kept)
        raise
    session.pop("lang_chosen", None)
    session["_auth"] = "full"
    session.pop("_second_factor_url", None)
    if isinstance(account, Customer):
        session["lang"] = account.language or session.get("lang")


def complete_second_factor() -> Customer | Staff:
    """Called by a second-factor plugin when the code was right: renew the session, finish login."""
    account = g.get("pending_account")
    if account is None:
        abort(400)
    kind = session["_user_kind"]
    session.regenerate()  # type: ignore[attr-defined]
    _finish_login(account, kind)
    return account


def after_login_url(default: str) -> str:
    """Where to go once the second factor passed: the page asked for before login, or ``default``."""
    return str(session.pop("_next_after_login", "") or default)


def pending_account() -> Customer | Staff | None:
    """The account whose second factor is due in this session, if any."""
    return g.get("pending_account")


def logout() -> None:
    """End this session (the row is deleted at the end of the request)."""
    kind = session.get("_user_kind")
    account = g.get("customer") or g.get("staff") or g.get("pending_account")
    if account is not None and kind:
        with db.write_transaction():
            try:
                # A savepoint: a failing plugin's writes roll back, the logout goes on.
                with db.write_transaction():
                    runtime.hooks().on_logout(account=account, kind=kind)
            except Exception as exc:
                runtime.log.exception("on_logout failed, the logout goes on: %s", describe_failure(exc))
            activity.record(f"{kind}.logout", actor=account, subject=account, ip=client_ip())
    session.destroy(keep=language_of_session())  # type: ignore[attr-defined]


def language_of_session() -> dict[str, Any]:
    """What a session ending now passes on to the next one: the language only."""
    return {"lang": session.get("lang")}


def login_required(view: F) -> F:
    """Client-area guard: redirect to the login page unless a customer is logged in."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("customer") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def staff_required(*roles: str) -> Callable[[F], F]:
    """Admin-area guard: a logged-in staff member, and with ``roles`` one of those roles.

    ``admin`` passes every role check. A missing login redirects; a wrong role is 403.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            staff = g.get("staff")
            if staff is None:
                return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
            if roles and staff.role != "admin" and staff.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
