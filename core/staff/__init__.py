"""Staff accounts: the provider's people who use the admin area."""
