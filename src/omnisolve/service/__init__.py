"""The service: REST API, durable job store, workers and the web UI."""
