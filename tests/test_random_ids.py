"""Ids from ``random_ids``: well-formed, unique, and different in every
forked worker."""

import os
import re
import uuid

from zaqar_lite import random_ids


def test_uuid4_text_is_a_canonical_version_4_uuid():
    for _ in range(2000):
        text = random_ids.uuid4_text()
        parsed = uuid.UUID(text)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text


def test_uuid4_text_spreads_over_every_random_bit():
    ones = 0
    for _ in range(256):
        ones |= uuid.UUID(random_ids.uuid4_text()).int
    fixed = (0xF000 << 64) | (0xC000 << 48)  # version and variant bits
    assert ones | fixed == 2 ** 128 - 1


def test_hex_digits_are_as_many_as_asked():
    for count in (1, 16, 160):
        digits = random_ids.hex_digits(count)
        assert re.fullmatch(f'[0-9a-f]{{{count}}}', digits)
    assert len({random_ids.hex_digits(16) for _ in range(5000)}) == 5000


def test_forked_processes_make_different_ids():
    """gunicorn forks its workers from one master: each must get its own
    sequence, not a copy of the master's."""
    random_ids.uuid4_text()  # the parent's generator is in use before forks
    reads = []
    for _ in range(2):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: one id back to the parent, then leave
            os.close(read_end)
            os.write(write_end, random_ids.uuid4_text().encode())
            os._exit(0)
        os.close(write_end)
        os.waitpid(pid, 0)
        with os.fdopen(read_end, 'rb') as child:
            reads.append(child.read().decode())
    reads.append(random_ids.uuid4_text())
    assert len(set(reads)) == 3
