"""``outbox.per_minute``: how many messages the every-minute cron run sends at most."""

from __future__ import annotations

from typing import Any

import pytest

from core import db, outbox, runtime
from core.builtin import process_outbox
from core.config import ConfigError
from core.models import OutboxMessage


@pytest.fixture
def app_overrides() -> dict[str, dict[str, Any]]:
    return {"outbox": {"per_minute": 2}}


def queue_pdf_refreshes(count: int) -> None:
    # document_pdf messages for documents that do not exist: the handler has nothing to render
    with db.write_transaction():
        for number in range(count):
            outbox.enqueue("document_pdf", {"document_id": 900_000 + number})


def statuses() -> list[str]:
    return [message.status for message in OutboxMessage.select().order_by(OutboxMessage.id)]


def test_the_cron_run_sends_at_most_per_minute_messages(hookbill_db: None, hookbill_cli: Any) -> None:
    queue_pdf_refreshes(3)
    process_outbox()
    assert statuses() == ["sent", "sent", "pending"]
    assert "sent 1, waiting 0" in hookbill_cli("outbox").output


def test_hookbill_outbox_takes_per_minute_unless_told_a_limit(hookbill_db: None, hookbill_cli: Any) -> None:
    queue_pdf_refreshes(4)
    assert "sent 2, waiting 2" in hookbill_cli("outbox").output
    assert "sent 2, waiting 0" in hookbill_cli("outbox", "--limit", "5").output


@pytest.mark.parametrize("value", [0, -5, "many", 2.5, True])
def test_a_per_minute_that_is_not_a_positive_whole_number_is_refused(hookbill_db: None, value: object) -> None:
    runtime.config()["outbox"]["per_minute"] = value
    with pytest.raises(ConfigError, match="outbox.per_minute"):
        process_outbox()
