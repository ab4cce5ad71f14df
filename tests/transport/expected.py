"""Error bodies the API answers with, shared by the transport tests."""

UNKNOWN_ID = 'ffffffff-ffff-4fff-bfff-ffffffffffff'


def api_error(description):
    return {'title': 'Invalid API request', 'description': description}


def body_error(description):
    return {'title': 'Invalid request body', 'description': description}
