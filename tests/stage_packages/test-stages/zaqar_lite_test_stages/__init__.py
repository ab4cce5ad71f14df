"""Stages for zaqar-lite's pipeline tests.

Each records what it sees, one line per call, in the file named by the
ZAQAR_LITE_STAGE_LOG environment variable, so a test can read the order in
which a real server called them.
"""

import os


def record(line):
    with open(os.environ['ZAQAR_LITE_STAGE_LOG'], 'a') as log:
        log.write(line + '\n')


class RecordFirst:
    """Records queue creations and message posts, lets them through."""

    tag = 'first'

    def __init__(self, **_unused):
        pass

    def create(self, name, metadata=None, project=None):
        record(f'{self.tag} create {name}')

    def post(self, queue, messages, client_uuid, project=None):
        record(f'{self.tag} post {queue} {len(messages)}')


class RecordSecond(RecordFirst):
    tag = 'second'


class AlwaysCreated:
    """Halts creation of queues named halt-*: answers True, creates nothing."""

    def __init__(self, **_unused):
        pass

    def create(self, name, metadata=None, project=None):
        if name.startswith('halt-'):
            record(f'halted create {name}')
            return True
        return None


class HooksNothing:
    """Implements no controller method: every call skips it."""

    def __init__(self, **_unused):
        record('hooks-nothing built')


class Broken:
    """Cannot be built."""

    def __init__(self, **_unused):
        raise RuntimeError('this stage is broken on purpose')


class ZaqarStyle:
    """Written the way Zaqar's stages are: any arguments, no zaqar-lite."""

    def __init__(self, *args, **kwargs):
        record(f'zaqar-style built args={len(args)} '
               f'kwargs={",".join(sorted(kwargs))}')

    def post(self, queue, messages, client_uuid, project=None):
        record(f'zaqar-style post {queue} {len(messages)}')
