"""The Falcon WSGI transport for the Zaqar v2 API."""
