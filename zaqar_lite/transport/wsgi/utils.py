"""Reading requests: bounded JSON bodies and typed query parameters."""

import json

from zaqar_lite.errors import ValidationError

JSON_INT_MAX = 2 ** 63 - 1  # the largest integer any store keeps exactly
READ_CHUNK = 64 * 1024  # bytes


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
    raw = req.bounded_stream.read(limit + 1)
    return raw, len(raw)


def parse_json(raw: bytes):
    """The JSON document in ``raw``; 400 with Zaqar's texts when malformed."""
    try:
        return json.loads(raw, parse_int=_bounded_int)
    except _IntegerTooLarge:
        raise ValidationError('JSON contains integer that is too large.',
                              title='Invalid request body') from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValidationError('Request body could not be parsed.',
                              title='Invalid request body') from None


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
