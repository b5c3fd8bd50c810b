"""Web-layer glue shared by the blueprints (HTTP headers, participant identity, service wiring)."""
