"""hookbill's testing kit: what a plugin's own test suite needs, shipped with hookbill.

Installing hookbill with its ``test`` extra (``pip install 'hookbill[test]'``)
makes :mod:`core.testing.plugin` a pytest plugin (entry point ``pytest11``), so
every pytest run in that environment has these fixtures, with no conftest:

``hookbill_app``
    The migrated Flask app with the built-in plugins, the installed ones and
    ``hookbill_plugins``; on a fresh SQLite file, and on a fresh PostgreSQL
    database when asked (``--hookbill-engines=sqlite,postgres``, the ini option
    ``hookbill_engines``, or ``@pytest.mark.hookbill_engines("postgres")``).
``hookbill_client``
    A Flask test client of the app (:class:`core.testing.web.WebClient` adds
    ``csrf``/``post_form``/``login``).
``hookbill_cli``
    Runs ``hookbill`` commands in-process against the app's database and plugins.
``hookbill_clock``
    Freeze and advance the one clock (:mod:`core.clock`); unfrozen after the test.
``hookbill_make``
    Factories for staff, customers, products, services and documents, through the
    domain services (:class:`core.testing.factories.Factories`).
``hookbill_outbox``
    The outbox: what was queued, deliver it, what was sent.
``hookbill_mail``
    Mail the app sent, caught by a loopback SMTP server (aiosmtpd).
``hookbill_webhook``
    A loopback HTTP server that records every request (for webhooks a plugin posts).
``hookbill_live_server``
    The app served over real HTTP on a loopback port; its base URL.
``hookbill_db``
    An open database connection, for domain-level code outside a request.
``hookbill_queries``
    ``with hookbill_queries() as log:`` counts the SQL statements sent inside the
    block, to assert that a list page costs as many queries for 100 rows as for 1
    (:mod:`core.testing.queries`).

Override ``hookbill_plugins`` (plugin objects to register) and ``hookbill_config``
(config sections, e.g. ``{"billing": {"downgrade": "credit"}}``) in a conftest or
a test module; or mark one test with ``@pytest.mark.hookbill_plugins(myplugin)``.
``docs/plugins.md`` walks through a plugin's first test.

The helpers (:mod:`core.testing.postgres`, :mod:`core.testing.smtp`,
:mod:`core.testing.webhook`, :mod:`core.testing.apps`) work without pytest too.
Nothing here is imported by the app itself.
"""
