"""Schema migrations of the test gateway (component ``testgateway``)."""
