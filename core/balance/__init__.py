"""The credit balance: an append-only ledger of gross amounts, never below zero."""
