"""Customers' billing data ("Dane do faktury"): validated changes kept as a history.

* :mod:`core.billing_data.service`: :func:`change_billing_data` (the one way the
  customer, staff, the API or an import change billing data) and
  :func:`history` (the versions with who, when and what changed, for staff).

Issued documents copy the billing data current when they are issued
(:func:`core.documents.issuing.buyer_party`), so a change affects every proforma
and VAT invoice issued after it, including the VAT invoice of a proforma issued
before; an issued proforma keeps its data until staff correct it on request
(:func:`core.documents.staff.correct_proforma`), and must be corrected first when
the change alters its tax treatment (:mod:`core.documents.review`).
"""
