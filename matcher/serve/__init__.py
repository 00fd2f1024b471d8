"""The HTTP service: app, routes, request/response models, the SQLite store and the web page."""
