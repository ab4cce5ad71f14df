"""Reading requests: bounded JSON bodies and typed query parameters.

A body is never read past its limit: a declared ``Content-Length`` over it
is refused unread, and a chunked body is read up to the limit plus one
byte.  A JSON document may nest at most ``MAX_JSON_DEPTH`` levels, so no
store or encoder meets a document deeper than it can take.
"""

import json

from zaqar_lite.errors import ValidationError

JSON_INT_MAX = 2 ** 63 - 1  # the largest integer any store keeps exactly
READ_CHUNK = 64 * 1024  # bytes
MAX_JSON_DEPTH = 32  # nested arrays and objects; MongoDB stops at 100


def read_raw(req, limit: int) -> tuple[bytes, int]:
    """Read at most ``limit + 1`` bytes of the body.

    Returns:
        ``(raw, length)``: the bytes read and the body's length as far as
        it is known, which exceeds ``limit`` when the body is too large
        (then ``raw`` is incomplete and must not be parsed).
    """
    declared = req.content_length
    if declared is not None and declared > limit:
        return b'', declared
    if declared is None and req.env.get('wsgi.input_terminated'):
        # A chunked body: the server (gunicorn) ends the stream where the
        # body ends, so it can be read without a length, up to the bound.
        raw = _read_up_to(req.stream, limit + 1)
    else:
        raw = req.bounded_stream.read(limit + 1)
    return raw, len(raw)


def _read_up_to(stream, size):
    """At most ``size`` bytes of ``stream``, in chunks (a read may return
    less than asked before the end)."""
    parts, left = [], size
    while left > 0:
        part = stream.read(min(left, READ_CHUNK))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b''.join(parts)


def parse_json(raw: bytes):
    """The JSON document in ``raw``; 400 with Zaqar's texts when malformed,
    and when nested deeper than ``MAX_JSON_DEPTH``."""
    try:
        # as json.loads(raw, parse_int=...) does, without a new decoder
        document = _DECODER.decode(
            raw.decode(json.detect_encoding(raw), 'surrogatepass'))
    except _IntegerTooLarge:
        raise ValidationError('JSON contains integer that is too large.',
                              title='Invalid request body') from None
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, UnicodeDecodeError):
        raise ValidationError('Request body could not be parsed.',
                              title='Invalid request body') from None
    # a document nests no deeper than it opens arrays and objects (or
    # brackets in strings): most bodies need no walk through them
    if raw.count(b'[') + raw.count(b'{') > MAX_JSON_DEPTH and \
            depth(document) > MAX_JSON_DEPTH:
        raise _too_deep()
    return document


def depth(document) -> int:
    """How many arrays and objects nest in ``document`` (0 for a scalar);
    iterative, so no document is too deep to measure."""
    deepest, pending = 0, [(document, 1)]
    while pending:
        value, level = pending.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, level)
        pending.extend((item, level + 1) for item in value
                       if isinstance(item, (dict, list)))
    return deepest


def _too_deep():
    return ValidationError(f'The JSON document is nested too deeply: at most '
                           f'{MAX_JSON_DEPTH} levels of arrays and objects '
                           'are allowed.', title='Invalid request body')


def document_type_error():
    """The error for a body of the wrong JSON type."""
    return ValidationError('Document type not supported.',
                           title='Invalid request body')


class _IntegerTooLarge(ValueError):
    pass


def _bounded_int(text):
    value = int(text)
    if abs(value) > JSON_INT_MAX:
        raise _IntegerTooLarge(text)
    return value


_DECODER = json.JSONDecoder(parse_int=_bounded_int)  # one for every body


def int_param(req, name, default=None):
    """An integer query parameter, or ``default`` when absent."""
    value = req.get_param(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValidationError(
            f'The "{name}" parameter is invalid. The value must be an '
            'integer.', title='Invalid parameter') from None


def bool_param(req, name, default=False):
    """A ``true``/``false`` query parameter, or ``default`` when absent."""
    value = req.get_param(name)
    if value is None:
        return default
    if value.lower() in ('true', 'false'):
        return value.lower() == 'true'
    raise ValidationError(
        f'The "{name}" parameter is invalid. The value of the parameter '
        'must be "true" or "false".', title='Invalid parameter')


def list_param(req, name):
    """A list parameter, comma-separated or repeated (None when absent)."""
    values = req.get_param_as_list(name)
    if values is None:
        return None
    return [item for value in values for item in value.split(',') if item]
