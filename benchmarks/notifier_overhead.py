"""What the notifier adds to a post, in-process (no network noise).

Posts one message per request through Falcon's test client over SQLite,
with the notifier off, on for a queue without subscribers, and on for a
queue with one and with ten webhook subscribers (each post then writes one
outbox entry per subscriber; delivery happens elsewhere and is not timed).

    python benchmarks/notifier_overhead.py [--requests 500]
"""

import argparse
import tempfile
import timeit
import uuid

from falcon import testing

from zaqar_lite import conf as zconf
from zaqar_lite.bootstrap import Bootstrap


def client_for(folder, notifier):
    conf = zconf.load()
    conf.set_override('uri', f'sqlite:///{folder}/bench-{notifier}.db',
                      group='drivers:message_store:sqlite')
    conf.set_override('synchronous', 'NORMAL',
                      group='drivers:message_store:sqlite')
    if notifier:
        conf.set_override('message_pipeline',
                          ['zaqar.notification.notifier'], group='storage')
    boot = Bootstrap(conf)
    return boot, testing.TestClient(boot.app)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--requests', type=int, default=500)
    args = parser.parse_args(argv)
    hdrs = {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': 'p'}
    body = {'messages': [{'body': 'x' * 256}]}
    with tempfile.TemporaryDirectory() as folder:
        for label, notifier, subscribers in (
                ('notifier off', False, 0),
                ('notifier, 0 subscribers', True, 0),
                ('notifier, 1 subscriber', True, 1),
                ('notifier, 10 subscribers', True, 10)):
            boot, client = client_for(folder, f'{notifier}-{subscribers}')
            client.simulate_put('/v2/queues/q', headers=hdrs)
            for n in range(subscribers):
                boot.data_driver.subscription_controller.create(
                    'q', f'http://93.184.216.34/hook/{n}', 3600, {},
                    project='p')
            seconds = min(timeit.repeat(
                lambda: client.simulate_post('/v2/queues/q/messages',
                                             headers=hdrs, json=body),
                number=args.requests, repeat=5))
            print(f'POST message, {label:<26} '
                  f'{seconds / args.requests * 1e6:8.1f} µs', flush=True)
            boot.close()


if __name__ == '__main__':
    main()
