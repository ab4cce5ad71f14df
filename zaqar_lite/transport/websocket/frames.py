"""Frames: JSON in text frames, msgpack in binary frames, and the answers.

An answer is ``{"request": ..., "body": ..., "headers": {"status": N}}``,
Zaqar's shape; an error's body carries Zaqar's ``error`` key beside the
HTTP API's ``title`` and ``description``.
"""

import json

import msgpack

API = 'v2'


class FrameError(ValueError):
    """A frame that is not a request: undecodable, or not an object."""


def decode(data):
    """The request in a frame: ``str`` is JSON, ``bytes`` is msgpack.

    Raises:
        FrameError: the frame cannot be decoded or is not an object.
    """
    binary = isinstance(data, bytes)
    try:
        request = msgpack.unpackb(data, raw=False, strict_map_key=False) \
            if binary else json.loads(data)
    except (ValueError, TypeError, msgpack.ExtraData, msgpack.FormatError,
            msgpack.StackError, RecursionError) as exc:
        kind = 'binary (MessagePack)' if binary else 'text (JSON)'
        raise FrameError(f"Can't decode {kind} request. "
                         f'{type(exc).__name__}: {exc}') from None
    if not isinstance(request, dict):
        raise FrameError('Unexpected body type. Expected dict or dict like.')
    return request


def encode(answer, binary: bool):
    """``answer`` as a frame in the encoding of its request."""
    if binary:
        return msgpack.packb(answer, use_bin_type=True)
    return json.dumps(answer)


def answer(request, status: int, body, headers=None) -> dict:
    """The answer to ``request`` (None when it could not be read)."""
    echoed = None if request is None else {
        'action': request.get('action'), 'body': request.get('body', {}),
        'headers': request.get('headers', {}), 'api': API}
    return {'request': echoed, 'body': body,
            'headers': {**(headers or {}), 'status': status}}


def error_body(title: str, description: str) -> dict:
    """An error's body: the HTTP API's keys plus Zaqar's ``error``."""
    return {'title': title, 'description': description,
            'error': description}
