"""One database connection per worker: requests and units of work reuse it; a forked worker leaves the parent's alone.

A temporary table lives as long as the connection (the session) that made it, on
both engines: seeing it again proves the same connection came back.
"""

from __future__ import annotations

import os
import threading

from core import db
from tests.helpers import login, make_customer

MARK = "CREATE TEMPORARY TABLE connection_mark (id INTEGER)"


def has_mark() -> bool:
    try:
        with db.database.atomic():  # a savepoint or transaction: a failed SELECT leaves the session usable
            db.database.execute_sql("SELECT id FROM connection_mark")
    except Exception:
        return False
    return True


def test_units_of_work_and_requests_reuse_the_connection(app):
    with db.connection():
        db.database.execute_sql(MARK)
    with db.connection():
        assert has_mark()
    make_customer("ala@example.test")
    client = app.test_client()
    login(client, "ala@example.test")
    assert client.get("/services").status_code == 200
    with db.connection():
        assert has_mark()  # the requests gave it back, the same one

    seen: list[bool] = []

    def elsewhere() -> None:
        with db.connection():
            seen.append(has_mark())

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    assert seen == [True]  # a thread takes the idle connection, not a new one


def test_a_forked_child_never_touches_the_parents_connection(app):
    with db.connection():
        db.database.execute_sql(MARK)
    with db.connection():  # the parent holds its connection while it forks
        pid = os.fork()
        if pid == 0:  # the child: its own connection, then gone without closing what it inherited
            code = 1
            try:
                with db.connection():
                    code = 0 if not has_mark() and db.database.execute_sql("SELECT 1").fetchone()[0] == 1 else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert has_mark()  # the parent's session outlived the child
