"""The customer JSON API (``/api/v1/``) and the personal API tokens that open it.

* :mod:`core.api.models` – the ``api_token`` table (hash and visible prefix only).
* :mod:`core.api.tokens` – domain: create, list, revoke, check a token (no Flask).
* :mod:`core.api.auth` – who is asking: ``Authorization: Bearer`` or the browser session.
* :mod:`core.api.serialize` – domain objects to JSON (money as strings, ISO dates).
* :mod:`core.api.views`, :mod:`core.api.views_tickets` – the endpoints.
* :mod:`core.api.pages` – "API tokens" page for customers, revoking for staff.
* :mod:`core.api.plugin` – the hook implementations (a built-in plugin).

The public documentation is ``docs/api.md``.
"""
