"""Changing a service's package and/or billing cycle (upgrade, downgrade).

``quote.py`` is the mutable quote the ``on_upgrade_quote`` hook fills,
``quoting.py`` builds it, ``confirm.py`` turns a confirmed quote into a
:class:`core.models.ServiceChange` (and a proforma), ``apply.py`` applies,
schedules, cancels and expires changes, ``hooks.py`` is the core's plugin that
applies a paid change inside the payment's transaction.
"""
