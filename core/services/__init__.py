"""Services staff add by hand and the cancellations customers ask for (domain services, no Flask)."""
