"""Cost of storage pipeline stages, per call and per HTTP request.

Compares the storage controller called directly, through an empty
pipeline, and through three no-op stages that hook every method; then the
same three set-ups serving requests in-process (Falcon's test client, so
network noise does not hide the difference).

    python benchmarks/pipeline_overhead.py
"""

import argparse
import tempfile
import timeit
import uuid

from falcon import testing

from zaqar_lite import conf as zconf
from zaqar_lite.bootstrap import Bootstrap, Pipelines
from zaqar_lite.storage import hooks
from zaqar_lite.storage.pipeline import Pipeline
from zaqar_lite.transport.wsgi.app import create_app


class NoOp:
    """A stage hooking every contract method and doing nothing."""


for _cls in hooks.HOOKABLE.values():
    for _name in dir(_cls):
        if not _name.startswith('_'):
            setattr(NoOp, _name, lambda self, *args, **kwargs: None)


def build(driver, stages):
    make = (lambda controller: controller) if stages is None else (
        lambda controller: Pipeline([NoOp() for _ in range(stages)],
                                    controller))
    return Pipelines(queue=make(driver.queue_controller),
                     message=make(driver.message_controller),
                     claim=make(driver.claim_controller),
                     subscription=make(driver.subscription_controller),
                     topic=make(driver.topic_controller))


def per_call(driver, number):
    results = {}
    for label, stages in (('controller', None), ('empty pipeline', 0),
                          ('3 no-op stages', 3)):
        queue = build(driver, stages).queue
        seconds = min(timeit.repeat(lambda: queue.exists('bench', project='p'),
                                    number=number, repeat=5))
        results[label] = seconds / number * 1e6
        print(f'queue.exists via {label:<16} {results[label]:8.2f} µs',
              flush=True)
    return results


def per_request(conf, driver, number):
    hdrs = {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': 'p'}
    body = {'messages': [{'body': 'x' * 256}]}
    for label, stages in (('controller', None), ('empty pipeline', 0),
                          ('3 no-op stages', 3)):
        client = testing.TestClient(create_app(conf, build(driver, stages),
                                               driver))
        for name, call in (
                ('GET messages', lambda: client.simulate_get(
                    '/v2/queues/bench/messages', headers=hdrs,
                    params={'echo': 'true'})),
                ('POST message', lambda: client.simulate_post(
                    '/v2/queues/sink/messages', headers=hdrs, json=body))):
            seconds = min(timeit.repeat(call, number=number, repeat=5))
            print(f'{name} via {label:<16} {seconds / number * 1e6:8.1f} µs',
                  flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--calls', type=int, default=20000)
    parser.add_argument('--requests', type=int, default=500)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        conf = zconf.load()
        conf.set_override('uri', f'sqlite:///{tmp}/bench.db',
                          group='drivers:message_store:sqlite')
        conf.set_override('synchronous', 'NORMAL',
                          group='drivers:message_store:sqlite')
        driver = Bootstrap(conf).data_driver
        driver.queue_controller.create('bench', project='p')
        driver.message_controller.post(
            'bench', [{'body': 'x' * 256, 'ttl': 3600}] * 10, 'c',
            project='p')
        per_call(driver, args.calls)
        per_request(conf, driver, args.requests)


if __name__ == '__main__':
    main()
