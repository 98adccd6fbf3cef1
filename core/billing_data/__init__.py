"""Customers' billing data ("Dane do faktury"): validated changes kept as a history.

* :mod:`core.billing_data.service`: :func:`change_billing_data` (the one way the
  customer, staff, the API or an import change billing data) and
  :func:`history` (the versions with who, when and what changed, for staff).

Issued documents copy the billing data when they are issued
(:func:`core.documents.issuing.buyer_party`), so a change only affects documents
issued after it; an issued proforma is corrected by staff on request
(:func:`core.documents.staff.correct_proforma`).
"""
