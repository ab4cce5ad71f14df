"""Doorbells on their own: waking in this process, across processes of one
host (UNIX datagrams), and over Redis pub/sub."""

import contextlib
import multiprocessing
import os
import socket
import threading
import uuid

import pytest
import redis

from zaqar_lite.storage.doorbell import Doorbell, Listener
from zaqar_lite.storage.host_doorbell import HostDoorbell
from zaqar_lite.storage.redis.doorbell import PubSubDoorbell, channel

WAIT = 20  # seconds a test waits for a ring that must come


class Listening:
    """A thread listening on ``bell`` for (p, q) until rung (or WAIT)."""

    def __init__(self, bell, queue='q'):
        self.ready = threading.Event()
        self.rung = None
        self.thread = threading.Thread(target=self._run, args=(bell, queue))
        self.thread.start()
        assert self.ready.wait(WAIT)

    def _run(self, bell, queue):
        with bell.listen(queue, 'p') as listener:
            self.listener = listener
            self.ready.set()
            self.rung = listener.wait(WAIT)

    def outcome(self):
        self.thread.join(WAIT + 10)
        return self.rung


def test_a_ring_between_waits_is_not_lost():
    listener = Listener()
    assert not listener.wake()  # it was not sleeping
    assert listener.wait(0)
    assert not listener.wait(0)


def test_a_ring_wakes_at_most_count_sleepers_longest_waiting_first():
    bell = Doorbell()
    with bell.listen('q', 'p') as busy:
        first, second = Listening(bell), Listening(bell)
        elsewhere = Listening(bell, queue='other')
        wait_until(lambda: first.listener.sleeping
                   and second.listener.sleeping)
        assert bell.wake_local(('p', 'q'), count=1) == 1
        assert first.outcome()
        assert second.thread.is_alive()
        assert busy.wait(0), 'a listener trying a claim tries once more'
        assert bell.wake_local(('p', 'q')) == 1  # count unknown: all
        assert second.outcome()
        assert elsewhere.thread.is_alive()
        bell.ring('other', 'p')
        assert elsewhere.outcome()
    assert not bell.is_listened(('p', 'q'))


def ring_from_another_process(folder):
    HostDoorbell(folder).ring('q', 'p', 1)


def test_host_doorbell_rings_reach_another_process(tmp_path):
    bell = HostDoorbell(tmp_path / 'bells')
    try:
        listening = Listening(bell)
        ringer = multiprocessing.get_context('spawn').Process(
            target=ring_from_another_process, args=(tmp_path / 'bells',))
        ringer.start()
        ringer.join(60)
        assert ringer.exitcode == 0
        assert listening.outcome()
    finally:
        bell.close()
    assert os.listdir(tmp_path / 'bells') == []  # its socket is removed


@contextlib.contextmanager
def two_host_bells(folder):
    """Two HostDoorbells on ``folder`` (as two processes would have),
    closed afterwards."""
    first, second = HostDoorbell(folder), HostDoorbell(folder)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def test_host_doorbell_works_in_a_folder_too_deep_for_a_socket_path(
        tmp_path):
    with two_host_bells(tmp_path / ('deep' * 30)) as (listening_bell,
                                                      ringing_bell):
        listening = Listening(listening_bell)
        ringing_bell.ring('q', 'p')
        assert listening.outcome()


def test_a_socket_left_by_a_dead_process_is_removed_by_the_next_ring(
        tmp_path):
    folder = tmp_path / 'bells'
    folder.mkdir()
    left = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    left.bind(str(folder / '999999-dead.bell'))
    left.close()  # its file stays, as after a kill -9
    HostDoorbell(folder).ring('q', 'p')
    assert os.listdir(folder) == []


def test_a_socket_file_removed_under_a_process_is_bound_again(tmp_path):
    folder = tmp_path / 'bells'
    with two_host_bells(folder) as (listening_bell, ringing_bell):
        with listening_bell.listen('first', 'p'):
            pass  # binds this process's socket
        for name in os.listdir(folder):
            os.unlink(folder / name)  # a cleaner of /tmp did this
        ringing_bell.ring('first', 'p')  # reaches nobody
        listening = Listening(listening_bell)
        ringing_bell.ring('q', 'p')
        assert listening.outcome()


@pytest.fixture
def redis_client(redis_server):
    client = redis.Redis.from_url(redis_server.uri)
    yield client
    client.close()


def test_redis_doorbell_hears_a_publish_on_the_queue_channel(redis_client):
    prefix = f'test-{uuid.uuid4().hex}'
    bell = PubSubDoorbell(redis_client, prefix)
    try:
        listening = Listening(bell)
        redis_client.publish(channel(prefix, 'p', 'q'), 1)
        assert listening.outcome()
    finally:
        bell.close()


def test_redis_doorbell_subscribes_again_after_dropping_an_idle_channel(
        redis_client):
    prefix = f'test-{uuid.uuid4().hex}'
    bell = PubSubDoorbell(redis_client, prefix, linger=0)
    try:
        first = Listening(bell)
        redis_client.publish(channel(prefix, 'p', 'q'), 1)
        assert first.outcome()
        name = channel(prefix, 'p', 'q').encode()
        # the reader drops the idle channel within its read wait
        wait_until(lambda: name not in redis_client.pubsub_channels(name))
        again = Listening(bell)
        redis_client.publish(channel(prefix, 'p', 'q'), 1)
        assert again.outcome()
    finally:
        bell.close()


def wait_until(predicate):
    from tests.conftest import wait_for
    return wait_for(predicate, timeout=WAIT)


def test_a_folder_others_may_write_to_is_not_used(tmp_path, caplog):
    folder = tmp_path / 'bells'
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    bell = HostDoorbell(folder)
    try:
        with bell.listen('q', 'p'):
            assert os.listdir(folder) == []
        bell.ring('q', 'p')
    finally:
        bell.close()
    assert 'others may write to it' in caplog.text


def test_a_folder_that_cannot_be_made_leaves_waits_to_re_checks(tmp_path,
                                                                 caplog):
    (tmp_path / 'file').write_text('')
    bell = HostDoorbell(tmp_path / 'file' / 'bells')  # under a plain file
    try:
        with bell.listen('q', 'p') as listener:
            assert not listener.wait(0)
        bell.ring('q', 'p')
    finally:
        bell.close()
    assert 'fall back to re-checking' in caplog.text


@pytest.mark.filterwarnings(
    'ignore::pytest.PytestUnhandledThreadExceptionWarning')  # the bug
def test_redis_doorbell_starts_a_new_reader_if_its_reader_died(redis_client):
    prefix = f'test-{uuid.uuid4().hex}'
    bell = PubSubDoorbell(redis_client, prefix)
    try:
        with bell.listen('first', 'p'):
            pass
        dead = bell._reader

        def broken(message):
            raise RuntimeError('a bug in the reader')
        bell._handle = broken
        redis_client.publish(channel(prefix, 'p', 'first'), 1)
        dead.join(WAIT)
        assert not dead.is_alive()
        del bell._handle  # the bug is gone; the class's method again
        listening = Listening(bell)
        redis_client.publish(channel(prefix, 'p', 'q'), 1)
        assert listening.outcome()
    finally:
        bell.close()
