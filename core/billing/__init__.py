"""Pure billing arithmetic: cycles, proration, VAT totals. No database, no Flask."""
