"""The push hub against real stores: what a watcher finds and hands on."""

import asyncio
import time

import pytest

from tests.storage.contract.conftest import FACTORIES, build_driver
from zaqar_lite.storage.pipeline import Pipeline
from zaqar_lite.transport.websocket import push


class Owner:
    """Stands for a connection: keeps what is pushed to it."""

    def __init__(self):
        self.pushed = []

    def push(self, document, binary):
        self.pushed.append((document['queue_name'], document['body']))


@pytest.fixture(params=['sqlite', 'redis', 'mongodb'])
def driver(request, tmp_path):
    built = build_driver(*FACTORIES[request.param](tmp_path, request))
    yield built
    built.close()


def hub_of(driver):
    return push.Hub(Pipeline([], driver.message_controller),
                    lambda fn, *args, **kwargs: asyncio.to_thread(
                        fn, *args, **kwargs), interval=0.01)


async def until(predicate, timeout=20.0):
    """Poll ``predicate`` until true, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, 'timed out'
        await asyncio.sleep(0.01)


def post(driver, *bodies, queue='q'):
    driver.queue_controller.create(queue, project='p')
    return driver.message_controller.post(
        queue, [{'body': body, 'ttl': 300} for body in bodies], 'client',
        project='p')


def test_posts_after_subscribing_are_pushed_once_in_order(driver):
    async def scenario():
        hub, owner = hub_of(driver), Owner()
        post(driver, 'before')
        await hub.subscribe('p', 'q', owner, False, ttl=60)
        post(driver, 1, 2)
        post(driver, 3)
        await until(lambda: len(owner.pushed) >= 3)
        post(driver, 4)
        await until(lambda: len(owner.pushed) >= 4)
        hub.close()
        return owner.pushed
    assert asyncio.run(scenario()) == [('q', 1), ('q', 2), ('q', 3),
                                       ('q', 4)]


def test_a_queue_made_anew_is_still_watched(driver):
    async def scenario():
        hub, owner = hub_of(driver), Owner()
        post(driver, 1, 2, 3)
        await hub.subscribe('p', 'q', owner, False, ttl=60)
        driver.queue_controller.delete('q', project='p')
        post(driver, 'new')  # Redis numbers the new queue from 1 again
        await until(lambda: owner.pushed)
        hub.close()
        return owner.pushed
    assert asyncio.run(scenario()) == [('q', 'new')]


def test_the_watcher_stops_with_the_last_subscriber(driver):
    async def scenario():
        hub, first, second = hub_of(driver), Owner(), Owner()
        one = await hub.subscribe('p', 'q', first, False, ttl=60)
        await hub.subscribe('p', 'q', second, True, ttl=60)
        assert len(hub.watchers) == 1  # one per queue, not per socket
        assert hub.unsubscribe(one.id, first)
        assert not hub.unsubscribe(one.id, first)
        post(driver, 'to the second')
        await until(lambda: second.pushed)
        hub.drop(second)
        await until(lambda: not hub.watchers)
        return first.pushed, second.pushed
    assert asyncio.run(scenario()) == ([], [('q', 'to the second')])


def test_a_post_committed_late_below_the_last_seen_marker_is_pushed(
        tmp_path, request):
    """MongoDB numbers a post before inserting it, so a listing can see a
    later post first; SQLite plays it here with a row put back."""
    driver = build_driver(*FACTORIES['sqlite'](tmp_path, request))

    async def scenario():
        hub, owner = hub_of(driver), Owner()
        await hub.subscribe('p', 'q', owner, False, ttl=60)
        post(driver, 'first', 'late', 'third')
        with driver.db.write() as conn:
            late = conn.execute("SELECT * FROM messages WHERE body LIKE "
                                "'%late%'").fetchone()
            conn.execute('DELETE FROM messages WHERE seq = ?', (late['seq'],))
        await until(lambda: len(owner.pushed) >= 2)
        with driver.db.write() as conn:  # the late commit lands
            columns = ', '.join(late.keys())
            conn.execute(f'INSERT INTO messages ({columns}) VALUES '
                         f'({", ".join("?" * len(late))})', tuple(late))
        await until(lambda: len(owner.pushed) >= 3)
        hub.close()
        return owner.pushed
    try:
        assert asyncio.run(scenario()) == [('q', 'first'), ('q', 'third'),
                                           ('q', 'late')]
    finally:
        driver.close()
