"""The Redis doorbell across a restart of Redis."""

import redis

from tests.conftest import wait_for
from tests.engines.redis_server import RedisServer
from tests.storage.contract.test_long_poll import WAIT, Waiting
from zaqar_lite.storage.redis.doorbell import channel
from zaqar_lite.storage.redis.driver import DataDriver


def subscribers(client, name):
    try:
        return dict(client.pubsub_numsub(name)).get(name.encode(), 0)
    except redis.RedisError:
        return 0


def test_a_waiting_claim_hears_posts_after_redis_restarts(tmp_path):
    server = RedisServer(tmp_path, appendonly=True)
    server.start()
    driver = poster = None
    try:
        driver = DataDriver(server.uri, {'socket_timeout': 1.0})
        driver.queue_controller.create('q', project='p')
        waiting = Waiting(driver).until_listening()
        server.kill()
        server.start()
        watcher = redis.Redis.from_url(server.uri)
        name = channel('zl', 'p', 'q')
        wait_for(lambda: subscribers(watcher, name) == 1, timeout=WAIT / 2,
                 what='the doorbell to subscribe again')
        watcher.close()
        poster = DataDriver(server.uri, {})
        poster.message_controller.post('q', [{'body': 'after', 'ttl': 300}],
                                       'c', project='p')
        (_, messages), took = waiting.outcome()
        assert [m['body'] for m in messages] == ['after']
        assert took < WAIT / 2, 'the post did not wake the claim'
    finally:
        for built in (driver, poster):
            if built is not None:
                built.close()
        server.stop()
