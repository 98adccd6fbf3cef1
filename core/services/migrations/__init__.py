"""Schema migrations of the services feature (component ``services``)."""
