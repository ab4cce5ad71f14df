"""The bridge between a queue directory and a queue of the HTTP API.

``PipeIn`` posts the files that appear in a directory's ``incoming/`` as
messages; ``PipeOut`` claims messages and publishes each as a file.  Both
are at-least-once: a file is deleted only after its post is acknowledged,
and a message only after its file is published, so a crash can repeat an
item but never lose one.  Any number of instances may share a directory or
a queue.
"""

import json
import logging
import threading

from zaqar_lite.filer.api import ApiUnavailable
from zaqar_lite.filer.queue import FileQueue

LOG = logging.getLogger(__name__)

BACKPRESSURE = -1  # PipeOut.step: the output directory is full


def read_body(data: bytes):
    """The message body for a file's bytes: JSON if it parses, else text.

    Raises:
        ValueError: the bytes are not UTF-8 text.
    """
    text = data.decode('utf-8')
    try:
        return json.loads(text)
    except ValueError:
        return text


def write_body(body) -> bytes:
    """A file's bytes for a message body: strings as text, else JSON."""
    if isinstance(body, str):
        return body.encode('utf-8')
    return json.dumps(body, ensure_ascii=False,
                      separators=(',', ':')).encode('utf-8')


class Loop:
    """Runs ``step`` until stopped; idles ``poll`` seconds when no work."""

    def __init__(self, poll: float, stop: threading.Event | None = None):
        self.poll = poll
        self.stop = stop or threading.Event()

    def run(self, once=False):
        """Work until stopped, or with ``once`` until there is no work."""
        while not self.stop.is_set():
            try:
                moved = self.step()
            except ApiUnavailable as exc:
                LOG.warning('%s: server unavailable (%s); retrying',
                            type(self).__name__, exc)
                moved = 0
            if moved > 0:
                continue
            if once:
                return
            self.stop.wait(self.idle_wait(moved))

    def idle_wait(self, moved):
        return self.poll


class PipeIn(Loop):
    """Posts files from ``files.incoming`` to a queue.

    Args:
        files: the queue directory read from.
        api: the queue posted to.
        batch: most files taken and posted at once.
        max_bytes: most bytes of one post request.
        recover_after: seconds after which files another instance left in
            ``pending/`` go back to ``incoming/``.
    """

    def __init__(self, files: FileQueue, api, batch=20, max_bytes=262144,
                 recover_after=300.0, poll=0.5, stop=None):
        super().__init__(poll, stop)
        self.files, self.api = files, api
        self.batch, self.max_bytes = batch, max_bytes
        self.recover_after = recover_after

    def step(self) -> int:
        self.files.recover(self.recover_after)
        paths = self.files.take(self.batch)
        ready = [item for item in map(self._prepare, paths) if item]
        try:
            refused = sum(self._post(chunk) for chunk in self._chunks(ready))
        finally:
            put_back = self._release_unposted(ready)
        if paths:
            LOG.info('pipe in: %d files, %d posted, %d refused, %d put back',
                     len(paths), len(ready) - refused - put_back,
                     len(paths) - len(ready) + refused, put_back)
        return len(paths)

    def _release_unposted(self, ready) -> int:
        """Give back the files of ``ready`` still pending (their post
        failed, or was not sent because the bridge is stopping); returns
        how many."""
        pending = [path for path, _ in ready if path.exists()]
        for path in pending:
            self.files.release(path)
        return len(pending)

    def _prepare(self, path):
        data = path.read_bytes()
        if len(data) > self.max_bytes:
            self.files.fail(path, f'{len(data)} bytes is more than one post '
                                  f'may carry ({self.max_bytes} bytes)')
            return None
        try:
            return path, {'body': read_body(data)}
        except ValueError:
            self.files.fail(path, 'not UTF-8 text, so not a message body')
            return None

    def _chunks(self, ready):
        chunk, size = [], 0
        for path, message in ready:
            length = len(json.dumps(message)) + 2
            if chunk and size + length > self.max_bytes - 20:
                yield chunk
                chunk, size = [], 0
            chunk.append((path, message))
            size += length
        if chunk:
            yield chunk

    def _post(self, chunk) -> int:
        """Post a chunk; returns how many files were refused.  A stopping
        bridge sends nothing more: the chunk stays pending."""
        if self.stop.is_set():
            return 0
        status, reason = self.api.post([message for _, message in chunk])
        if status == 201:
            for path, _ in chunk:
                self.files.done(path)
            return 0
        if len(chunk) > 1:  # find which files the server refuses
            return sum(self._post([item]) for item in chunk)
        self.files.fail(chunk[0][0], f'the server answered {status}: {reason}')
        return 1


class PipeOut(Loop):
    """Claims messages from a queue and publishes each as a file.

    Args:
        api: the queue claimed from.
        files: the queue directory written to.
        limit: most files ``incoming/`` may hold; at the limit, wait.
        wait: seconds to wait at the limit before looking again.
        claim_ttl: seconds a claim holds messages while they are written.
    """

    def __init__(self, api, files: FileQueue, limit=10000, wait=10.0,
                 batch=20, claim_ttl=60, poll=0.5, stop=None):
        super().__init__(poll, stop)
        self.api, self.files = api, files
        self.limit, self.wait = limit, wait
        self.batch, self.claim_ttl = batch, claim_ttl

    def step(self) -> int:
        room = self.limit - self.files.waiting()
        if room <= 0:
            LOG.info('pipe out: %s holds %d files, the limit; waiting %ss',
                     self.files.incoming, self.limit, self.wait)
            return BACKPRESSURE
        claim_id, messages = self.api.claim(min(room, self.batch),
                                            self.claim_ttl)
        if not messages:
            return 0
        for message in messages:
            self.files.enqueue(write_body(message['body']))
        self.api.delete([m['id'] for m in messages], claim_id)
        LOG.info('pipe out: %d messages written to %s', len(messages),
                 self.files.incoming)
        return len(messages)

    def idle_wait(self, moved):
        return self.wait if moved == BACKPRESSURE else self.poll
