"""Renewals: billing each service's next period, extending it when paid, dunning when not.

``issuing.py`` issues the renewal proformas ahead of the due date (the
``service_renewal`` table, :mod:`core.renewals.models`, keeps one per service
and period), ``paying.py`` extends the service when one is paid (inside the
payment's transaction), ``overdue.py`` reminds, suspends and terminates, and
``plugin.py`` wires them to the hooks (``on_invoice_paid``, cron, the service
page). Thresholds are the ``[billing]`` keys ``renewal_days_before``,
``reminder_days_before_due``, ``suspend_after_days``, ``terminate_after_days``.
"""
