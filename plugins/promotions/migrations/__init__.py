"""Schema migrations of the promotions plugin."""
