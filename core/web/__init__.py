"""The web layer: Flask blueprints that parse, authorise and render; no business rules."""
