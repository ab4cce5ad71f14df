"""Notification through the pooling driver: once per subscriber, whatever
pool holds the queue (and the outbox)."""

import uuid

from tests.engines.webhook_receiver import WebhookReceiver
from zaqar_lite import conf as zconf
from zaqar_lite import plugins
from zaqar_lite.notification.delivery import DeliveryWorker
from zaqar_lite.notification.notifier import Notifier
from zaqar_lite.storage.pooling.catalog import Catalog
from zaqar_lite.storage.pooling.driver import DataDriver


def test_each_message_reaches_each_subscriber_once_across_pools(
        tmp_path, redis_server):
    conf = zconf.load()
    conf.set_override('webhook_allowed_networks', ['127.0.0.0/8'],
                      group='notification')
    control = plugins.load_driver(
        plugins.CONTROL_DRIVERS, 'sqlite', 'test',
        uri=f'sqlite:///{tmp_path}/management.db', options={})
    control.pools_controller.create('lite', 1, f'sqlite:///{tmp_path}/l.db')
    control.pools_controller.create(
        'red', 0, redis_server.uri,
        options={'key_prefix': f'n-{uuid.uuid4().hex}'})
    driver = DataDriver(Catalog(control))
    receiver = WebhookReceiver().start()
    try:
        queues = [f'q{n}' for n in range(8)]
        for n, queue in enumerate(queues):
            if n == 4:  # the second half goes to the other pool
                control.pools_controller.update('lite', weight=0)
                control.pools_controller.update('red', weight=1)
            driver.queue_controller.create(queue, project='p')
            driver.subscription_controller.create(
                queue, receiver.url(queue), 3600, {}, project='p')
        assert {control.catalogue_controller.get('p', q)
                for q in queues} == {'lite', 'red'}
        notifier = Notifier(conf, driver)
        for queue in queues:
            messages = [{'body': queue, 'ttl': 60}]
            ids = driver.message_controller.post(queue, messages, 'c',
                                                 project='p')
            notifier.notify(queue, 'p', ids, messages)
        worker = DeliveryWorker(conf, driver)
        worker.run_until_idle(timeout=30)
        worker.close()
        for queue in queues:
            assert [d.json['body'] for d in receiver.received(queue)] == \
                [queue]
        assert worker.outbox.pending() == 0
    finally:
        receiver.stop()
        driver.close()
