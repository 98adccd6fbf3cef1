"""Password hashing holds one of the machine's slots: strangers are turned away when none is free.

The test holds the only slot itself (``security.password_hash_concurrency = 1``,
the default), as a storm's hash in another process would.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest

from core import clock, db
from core.accounts.passwords import hashing_slot
from core.models import ActivityLog, RateEvent
from tests.helpers import PASSWORD, csrf, make_customer

OWNER = "198.51.100.10"
STRANGER = "203.0.113.9"


def attempt(client, password: str, ip: str):
    token = csrf(client, "/login")
    return client.post(
        "/login",
        data={"email": "ala@example.test", "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
    )


def someone_waits(gate: Path) -> bool:
    """True while a request that may wait holds the gate (shared), so an exclusive lock is refused."""
    fd = os.open(gate, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def evaluated() -> int:
    with db.connection():
        return ActivityLog.select().where(ActivityLog.action.in_(["customer.login", "customer.login_failed"])).count()


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze("2026-05-04T10:00:00")
    yield
    clock.freeze(None)


def test_while_every_slot_is_taken_a_stranger_is_told_to_come_back_and_nothing_is_counted(app):
    make_customer("ala@example.test")
    client = app.test_client()
    with app.app_context(), hashing_slot():
        busy = attempt(client, PASSWORD, STRANGER)
    assert busy.status_code == 429
    assert busy.headers["Retry-After"] == "2"
    assert "Panel jest teraz zajęty" in busy.get_data(as_text=True)
    assert evaluated() == 0
    with db.connection():
        assert RateEvent.select().where(RateEvent.scope.startswith("login-customer")).count() == 0
    assert attempt(client, PASSWORD, STRANGER).status_code == 302  # a free slot: in


def test_the_owner_from_their_usual_address_waits_for_the_slot_and_gets_in(app):
    make_customer("ala@example.test")
    assert attempt(app.test_client(), PASSWORD, OWNER).status_code == 302  # the address becomes known
    owner = app.test_client()
    token = csrf(owner, "/login")
    answers: list[int] = []
    holding, release = threading.Event(), threading.Event()

    def hold_the_slot() -> None:
        with app.app_context(), hashing_slot():
            holding.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=hold_the_slot)
    holder.start()
    holding.wait(timeout=30)

    def log_in() -> None:
        form = {"email": "ala@example.test", "password": PASSWORD, "csrf_token": token}
        answers.append(owner.post("/login", data=form, environ_base={"REMOTE_ADDR": OWNER}).status_code)

    waiting = threading.Thread(target=log_in)
    waiting.start()
    gate = Path(str(app.config["HOOKBILL"].get_value("app.instance_path"))) / "hash-slots" / "waiting"
    while not someone_waits(gate):  # until the owner's request is waiting for the slot
        assert waiting.is_alive(), answers
        time.sleep(0.01)
    stranger = attempt(app.test_client(), PASSWORD, STRANGER)  # strangers leave the next slot to the owner
    assert not answers  # still waiting
    release.set()
    holder.join()
    waiting.join(timeout=60)
    assert stranger.status_code == 429
    assert answers == [302]


def test_what_the_limits_refuse_is_refused_before_asking_for_a_slot(app):
    make_customer("ala@example.test")
    client = app.test_client()
    for _ in range(5):
        assert attempt(client, "wrong password!", STRANGER).status_code == 401
    with app.app_context(), hashing_slot():
        refused = attempt(client, PASSWORD, STRANGER)
    assert refused.status_code == 429
    assert "Zbyt wiele nieudanych logowań" in refused.get_data(as_text=True)  # the limit's message, not "busy"
    assert refused.headers["Retry-After"] == "30"
