"""Core schema migrations (component ``core``)."""
