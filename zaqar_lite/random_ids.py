"""Identifiers that must be unique but need not be secret, made without a
system call each.

``uuid.uuid4()`` and ``secrets`` read the operating system's random source
with a ``getrandom`` call every time, and each call lets the worker's
other threads take Python's interpreter lock, which under load means a
hand-over and a wake-up.  A post made two such calls (``uuid4`` also
builds a ``UUID`` object: 2.3 µs against 0.6 µs here); see
``docs/benchmarks.md`` for what taking them off measured.  Request ids
and the ids of messages only have to be unique and evenly spread, so they
come from ``random``'s generator, which Python seeds from the OS source
when it starts and again in every forked process (each gunicorn worker).
Claim ids, which a client shows as proof that it holds a claim, stay
``uuid.uuid4()``.
"""

import random

# where a UUID's integer keeps its version (4 bits) and variant (2 bits),
# and what they are in a random, RFC 4122 UUID
_FIXED_BITS = 0xF000 << 64 | 0xC000 << 48
_VERSION_4_RFC_4122 = 0x4000 << 64 | 0x8000 << 48


def uuid4_text() -> str:
    """A random (version 4, RFC 4122 variant) UUID in its usual text form,
    as ``str(uuid.uuid4())`` gives."""
    bits = random.getrandbits(128) & ~_FIXED_BITS | _VERSION_4_RFC_4122
    text = f'{bits:032x}'
    return f'{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}'


def hex_digits(count: int) -> str:
    """``count`` random hexadecimal digits."""
    return f'{random.getrandbits(4 * count):0{count}x}'
