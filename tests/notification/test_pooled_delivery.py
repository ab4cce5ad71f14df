"""Notification through the pooling driver: once per subscriber, whatever
pool holds the queue (and the outbox)."""

import uuid

from tests.engines.webhook_receiver import WebhookReceiver
from zaqar_lite import conf as zconf
from zaqar_lite.bootstrap import Bootstrap


def test_each_message_reaches_each_subscriber_once_across_pools(
        tmp_path, redis_server):
    # Given the service as bootstrap builds it with pooling on and the
    # notifier stage in the message pipeline, over two pools,
    conf = zconf.load()
    conf.set_override('pooling', True)
    conf.set_override('uri', f'sqlite:///{tmp_path}/management.db',
                      group='drivers:management_store:sqlite')
    conf.set_override('message_pipeline', ['zaqar.notification.notifier'],
                      group='storage')
    conf.set_override('webhook_allowed_networks', ['127.0.0.0/8'],
                      group='notification')
    boot = Bootstrap(conf)
    pools = boot.control_driver.pools_controller
    pools.create('lite', 1, f'sqlite:///{tmp_path}/l.db')
    pools.create('red', 0, redis_server.uri,
                 options={'key_prefix': f'n-{uuid.uuid4().hex}'})
    receiver = WebhookReceiver().start()
    try:
        queues = [f'q{n}' for n in range(8)]
        for n, queue in enumerate(queues):
            if n == 4:  # the second half goes to the other pool
                pools.update('lite', weight=0)
                pools.update('red', weight=1)
            boot.pipelines.queue.create(queue, project='p')
            for subscriber in ('a', 'b'):
                boot.pipelines.subscription.create(
                    queue, receiver.url(f'{queue}/{subscriber}'), 3600, {},
                    project='p')
        assert {boot.control_driver.catalogue_controller.get('p', q)
                for q in queues} == {'lite', 'red'}
        # when a message is posted to each queue through the pipeline,
        for queue in queues:
            boot.pipelines.message.post(queue, [{'body': queue, 'ttl': 60}],
                                        'c', project='p')
        worker = boot.delivery_worker()
        worker.run_until_idle(timeout=30)
        worker.close()
        # then each subscriber got its queue's message once.
        for queue in queues:
            for subscriber in ('a', 'b'):
                assert [d.json['body'] for d in receiver.received(
                    f'{queue}/{subscriber}')] == [queue]
        assert worker.outbox.pending() == 0
    finally:
        receiver.stop()
        boot.close()
