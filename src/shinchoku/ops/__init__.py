"""Running the site: the health check, the request id and the logs, the limits on what a
request may hold and how often a client may search, and the gunicorn configuration
(docs/configuration.md, "Running the site")."""
