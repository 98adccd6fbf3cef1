"""Correcting invoices (art. 106j of the VAT act): the one way hookbill issues them.

A VAT invoice may be corrected more than once (a downgrade credited to the
balance, then a refund, say). Each correction corrects the invoice's *current*
state: the lines after its latest correction, or the invoice's own lines when
it has none. So the invoice plus all its corrections always add up to what was
finally sold, to the grosz, and a second correction never undoes the first.

Callers (the credit-mode downgrade, :mod:`core.upgrades.refund` and
:mod:`core.upgrades.apply`; a refund by a payment plugin) say what the state
after the correction is; this module finds what it corrects and issues the
document, which keeps the corrected invoice's buyer and date of supply
(:func:`core.documents.issuing.issue_document`). :func:`preview_correction`
computes, without writing anything, the very document :func:`issue_correction`
would issue, so a page can promise its amount to the grosz.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from core import clock
from core.documents.build import LineInput, build_snapshot, make_line, rate_percent, rate_totals
from core.documents.issuing import issue_document, seller_party, snapshot_of
from core.documents.snapshot import DocumentSnapshot, Line
from core.errors import Conflict
from core.i18n import N_
from core.models import Document
from core.money import CENT, ZERO, round_money

UNIT = "usł."


def latest_state(invoice: Document) -> Document:
    """The newest document of ``invoice``'s correction chain: its last correction, or the invoice itself."""
    ids = {invoice.id}
    while True:
        found = {
            d.id
            for d in Document.select(Document.id).where(
                (Document.kind == "correction") & Document.corrects_id.in_(list(ids))
            )
        }
        if found <= ids:
            break
        ids |= found
    if ids == {invoice.id}:
        return invoice
    return Document.get_by_id(max(ids - {invoice.id}))


def state_lines(snap: DocumentSnapshot) -> tuple[Line, ...]:
    """The lines a document stands at: a correction's lines after it, any other document's own lines."""
    return snap.corrected.lines_after if snap.corrected else snap.lines


def current_lines(invoice: Document) -> tuple[Line, ...]:
    """The lines ``invoice`` stands at now, after every correction issued so far."""
    return state_lines(snapshot_of(latest_state(invoice)))


def state_gross(lines: Sequence[Line]) -> Decimal:
    """The gross total of a state: VAT once per rate on each rate's net sum."""
    return sum((t.gross for t in rate_totals(lines)), ZERO)


def state_net(lines: Sequence[Line]) -> Decimal:
    """The net total of a state."""
    return sum((line.net for line in lines), ZERO)


def preview_correction(invoice: Document, after: Sequence[LineInput], reason: str) -> DocumentSnapshot:
    """The snapshot :func:`issue_correction` would issue now for the same arguments (no number, no writes).

    Its totals (the differences, VAT once per rate before and after) are the
    correction's own: what a summary promises is what is issued.
    """
    corrected = snapshot_of(latest_state(invoice))
    today = clock.today()
    return build_snapshot(
        kind="correction",
        number="-",
        issue_date=today,
        sale_date=corrected.sale_date,
        due_date=today,
        seller=seller_party(),
        buyer=corrected.buyer,
        lines=after,
        currency=corrected.currency,
        corrects=corrected,
        correction_reason=reason,
    )


def issue_correction(
    invoice: Document,
    after: Sequence[LineInput],
    reason: str,
    *,
    purpose: str = "",
    purpose_ref: int | None = None,
    refund_on_balance: bool = False,
    set_off_label: str = "",
    refund_to_payer_label: str = "",
) -> Document:
    """Correct ``invoice``'s current state to ``after``; return the correcting invoice.

    The correction refers to the latest document of the chain and carries the
    buyer of the corrected invoice. ``refund_on_balance``: what it lowers is
    settled on the customer's credit balance and the correction says so (the
    caller credits the balance). ``set_off_label``: what it lowers is set off
    against another document, named in these words. ``refund_to_payer_label``:
    what it lowers is paid back to the payer's account by a payment provider,
    named in these words. Must run inside a write transaction (as
    :func:`core.documents.issuing.issue_document` does).
    """
    latest = latest_state(invoice)
    return issue_document(
        invoice.customer,
        "correction",
        after,
        corrects=latest,
        correction_reason=reason,
        purpose=purpose,
        purpose_ref=purpose_ref,
        refund_on_balance=refund_on_balance,
        set_off_label=set_off_label,
        refund_to_payer_label=refund_to_payer_label,
    )


def lowered_by_gross(invoice: Document, gross: Decimal, description: str) -> list[LineInput]:
    """The state after returning ``gross`` of ``invoice`` (a refund): what the correction corrects to.

    * ``gross`` equal to the current gross total: every line goes (the sale is
      reversed in full, each line corrected to nothing).
    * Less, on an invoice with one numeric VAT rate: one negative line
      ``description`` at that rate, whose net makes the gross total fall by
      exactly ``gross`` (VAT is computed once per rate, so the net is found by
      trying the nets around ``gross / (1 + rate)``).

    Raises Conflict (``refund_not_exact``) when that cannot be exact: more than
    the invoice's gross, several VAT rates, a rate without VAT, or an amount no
    net reaches to the grosz at that rate (the message lets staff choose a
    neighbouring amount).
    """
    base = current_lines(invoice)
    before = state_gross(base)
    if gross <= 0 or gross > before:
        raise Conflict(N_("The refund is larger than what the invoice still stands at."), code="refund_not_exact")
    if gross == before:
        return []
    rates = {ln.vat_rate for ln in base}
    percent = rate_percent(next(iter(rates))) if len(rates) == 1 else None
    if percent is None:
        raise Conflict(
            N_("Only the whole invoice can be refunded here: it has several VAT rates, or a rate without VAT."),
            code="refund_not_exact",
        )
    rate = next(iter(rates))
    guess = round_money(gross * 100 / (100 + percent))
    for step in (0, 1, -1, 2, -2):
        net = guess + step * CENT
        after = [*(LineInput.from_line(ln) for ln in base), LineInput(description, Decimal(1), UNIT, -net, rate)]
        if before - state_gross([make_line(x) for x in after]) == gross:
            return after
    raise Conflict(
        N_("This amount cannot be split exactly into net and VAT; refund a grosz more or less."),
        code="refund_not_exact",
    )
