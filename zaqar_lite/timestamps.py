"""Times as the API shows them."""

import datetime


def utc_text(timestamp: float) -> str:
    """A Unix time as RFC 3339 text in UTC, to the second."""
    return datetime.datetime.fromtimestamp(
        timestamp, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
