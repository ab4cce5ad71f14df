"""Notifications end to end: real gunicorn, real webhook receiver, real SMTP.

The servers here list the notifier in ``message_pipeline`` and allow
webhooks to loopback (``webhook_allowed_networks``), which production
refuses by default.
"""

import json
import signal
import uuid

import pytest
import requests

from tests.conftest import wait_for
from tests.e2e.conftest import Service, service_conf
from tests.engines.smtp_server import SmtpServer
from tests.engines.webhook_receiver import WebhookReceiver
from zaqar_lite import conf as zconf
from zaqar_lite.bootstrap import Bootstrap
from zaqar_lite.notification import outbox
from zaqar_lite.notification.tasks.webhook import signature
from zaqar_lite.storage.utils import page

SECRET_KEY = 'e2e-signing-key'
FAST_RETRIES = {'retries_with_no_delay': 0, 'minimum_delay_retries': 30,
                'minimum_delay': 1, 'maximum_delay': 11,
                'maximum_delay_retries': 0}


def notifying_sections(smtp, **extra):
    sections = {
        'storage': {'gc_interval': 1,
                    'message_pipeline': 'zaqar.notification.notifier'},
        'notification': {'webhook_allowed_networks': '127.0.0.0/8',
                         'poll_interval': 0.05,
                         'smtp_host': '127.0.0.1', 'smtp_port': smtp.port},
        'signed_url': {'secret_key': SECRET_KEY},
    }
    for section, options in extra.items():
        sections.setdefault(section, {}).update(options)
    return sections


@pytest.fixture(scope='session')
def receiver():
    running = WebhookReceiver().start()
    yield running
    running.stop()


@pytest.fixture(scope='session')
def smtp():
    running = SmtpServer().start()
    yield running
    running.stop()


@pytest.fixture(scope='session', params=['sqlite', 'redis', 'mongodb'])
def notifying(request, tmp_path_factory, smtp):
    folder = tmp_path_factory.mktemp(f'notify-{request.param}')
    extra = {}
    if request.param == 'redis':
        extra = {'drivers': {'message_store': 'redis'},
                 'drivers:message_store:redis': {
                     'uri': request.getfixturevalue('redis_server').uri,
                     'key_prefix': f'notify-{uuid.uuid4().hex[:8]}'}}
    if request.param == 'mongodb':
        extra = {'drivers': {'message_store': 'mongodb'},
                 'drivers:message_store:mongodb': {
                     'uri': request.getfixturevalue('ferretdb_server').uri,
                     'database': f'notify-{uuid.uuid4().hex[:8]}'}}
    with Service(service_conf(
            folder, **notifying_sections(smtp, **extra))) as running:
        yield running


@pytest.fixture(scope='session')
def confirming(tmp_path_factory, smtp):
    folder = tmp_path_factory.mktemp('confirming')
    with Service(service_conf(folder, **notifying_sections(
            smtp, notification={'require_confirmation': True}))) as running:
        yield running


class Api:
    """Requests to one server as one project."""

    def __init__(self, url, project=None):
        self.url = url
        self.headers = {'Client-ID': str(uuid.uuid4()),
                        'X-Project-ID': project or f'p-{uuid.uuid4().hex}'}

    def __call__(self, method, path, body=None, headers=None, **kwargs):
        return requests.request(method, self.url + path, json=body,
                                headers={**self.headers, **(headers or {})},
                                timeout=30, **kwargs)

    def subscribe(self, source, subscriber, options=None, kind='queues'):
        answer = self('POST', f'/v2/{kind}/{source}/subscriptions',
                      {'subscriber': subscriber, 'ttl': 3600,
                       'options': options or {}})
        assert answer.status_code == 201, answer.text
        return answer.json()['subscription_id']

    def post(self, source, *bodies, kind='queues'):
        answer = self('POST', f'/v2/{kind}/{source}/messages',
                      {'messages': [{'body': body, 'ttl': 300}
                                    for body in bodies]})
        assert answer.status_code == 201, answer.text
        return [href.rsplit('/', 1)[1] for href in answer.json()['resources']]


def unique(name):
    return f'{name}-{uuid.uuid4().hex[:10]}'


def outbox_entries(server):
    """The pending deliveries in ``server``'s store, read beside it."""
    boot = Bootstrap(zconf.load([str(server.conf_path)]))
    found, marker = [], None
    try:
        while True:
            items, marker = page(boot.data_driver.message_controller.list(
                outbox.QUEUE, project=outbox.PROJECT, marker=marker,
                limit=100, echo=True, include_claimed=True,
                include_delayed=True))
            found += [item['body'] for item in items]
            if len(items) < 100:
                return found
    finally:
        boot.close()


def retry_pending(server, subscription_id):
    """Whether a failed delivery to the subscription waits for a retry."""
    return any(entry['subscription_id'] == subscription_id
               and entry['attempt'] >= 2 for entry in outbox_entries(server))


def test_every_message_reaches_every_subscriber_in_order(notifying,
                                                         receiver):
    api = Api(notifying.url)
    queue, one, two = unique('q'), unique('one'), unique('two')
    api.subscribe(queue, receiver.url(one))
    api.subscribe(queue, receiver.url(two))
    ids = api.post(queue, {'n': 0}, {'n': 1}) + api.post(queue, {'n': 2})
    api.post(queue, 'last')  # each subscriber's deliveries are in order
    for path in (one, two):
        got = receiver.wait(path, 4)
        assert got[3].json['body'] == 'last'
        assert [d.json['id'] for d in got[:3]] == ids  # exactly once each
        assert [d.json['body'] for d in got[:3]] == [{'n': 0}, {'n': 1},
                                                     {'n': 2}]
        first = got[0].json
        assert first['queue_name'] == queue and first['ttl'] == 300
        assert first['Message_Type'] == 'Notification'
        assert got[0].headers['Content-Type'] == 'application/json'


def test_failures_are_retried_with_a_stable_delivery_id(notifying, receiver):
    api = Api(notifying.url)
    queue, path = unique('q'), unique('flaky')
    receiver.fail(path, times=2, status=503)
    api.subscribe(queue, receiver.url(path),
                  {'_retry_policy': FAST_RETRIES, 'secret': 's3cret',
                   'post_headers': {'X-Custom': 'yes'}})
    [message_id] = api.post(queue, 'retry me')
    [delivered] = receiver.wait(path, 1)
    attempts = receiver.received(path, ok_only=False)
    assert [d.status for d in attempts] == [503, 503, 204]
    assert len({d.headers['X-Zaqar-Delivery-ID'] for d in attempts}) == 1
    assert delivered.headers['X-Zaqar-Attempt'] == '3'
    assert delivered.headers['X-Custom'] == 'yes'
    stamp = delivered.headers['X-Zaqar-Signature'].split(',')[0][2:]
    assert delivered.headers['X-Zaqar-Signature'] == \
        signature('s3cret', int(stamp), delivered.raw)
    assert delivered.json['id'] == message_id


def test_a_subscriber_that_was_down_gets_the_message_when_back(notifying):
    down = WebhookReceiver()  # not started: its port refuses connections
    api = Api(notifying.url)
    queue = unique('q')
    subscription_id = api.subscribe(queue, down.url('late'),
                                    {'_retry_policy': FAST_RETRIES})
    api.post(queue, 'while you were away')
    wait_for(lambda: retry_pending(notifying, subscription_id),
             what='a failed attempt')
    down.start()
    try:
        [delivered] = down.wait('late', 1, timeout=30)
        assert delivered.json['body'] == 'while you were away'
    finally:
        down.stop()


def test_post_data_template_and_topic_fan_out(notifying, receiver):
    api = Api(notifying.url)
    name, topic_path, queue_path = unique('t'), unique('tp'), unique('qp')
    api('PUT', f'/v2/topics/{name}')
    api.subscribe(name, receiver.url(topic_path),
                  {'post_data': '{"wrapped": "$zaqar_message$"}'},
                  kind='topics')
    api.subscribe(name, receiver.url(queue_path))  # a queue of that name
    api.post(name, 'to the topic', kind='topics')
    [got] = receiver.wait(topic_path, 1)
    assert got.json['wrapped']['body'] == 'to the topic'
    assert got.json['wrapped']['queue_name'] == name
    api.post(name, 'to the queue')
    [got] = receiver.wait(queue_path, 1)
    assert got.json['body'] == 'to the queue'
    assert len(receiver.received(topic_path)) == 1


def test_mail_subscribers_get_mail(notifying, smtp):
    api = Api(notifying.url)
    queue, address = unique('q'), f'{uuid.uuid4().hex[:8]}@example.com'
    api.subscribe(queue, f'mailto:{address}?subject=Hello',
                  {'from': 'queue@example.com'})
    [message_id] = api.post(queue, {'order': 42})
    mail = wait_for(lambda: [m for m in smtp.mails if m['To'] == address],
                    what='the mail')[0]
    assert mail['Subject'] == 'Hello'
    assert mail['From'] == 'queue@example.com'
    document = json.loads(mail.get_content())
    assert document['id'] == message_id and document['body'] == {'order': 42}


def test_webhooks_to_refused_networks_are_not_sent(service):
    # The default server allows public addresses only.
    api = Api(service.url)
    answer = api('POST', f'/v2/queues/{unique("q")}/subscriptions',
                 {'subscriber': 'http://127.0.0.1:9/x', 'ttl': 3600})
    assert answer.status_code == 400
    assert 'loopback' in answer.json()['description']


def test_confirmation_flow_with_the_signed_url(confirming, receiver):
    api = Api(confirming.url)
    queue, path, lazy = unique('q'), unique('confirms'), unique('lazy')
    subscription_id = api.subscribe(queue, receiver.url(path))
    lazy_id = api.subscribe(queue, receiver.url(lazy))  # never confirms
    [request] = receiver.wait(path, 1)
    asked = request.json
    assert asked['Message_Type'] == 'SubscriptionConfirmation'
    assert asked['URL-Paths'] == \
        f'/v2/queues/{queue}/subscriptions/{subscription_id}/confirm'
    signed = {key: asked[key] for key in ('URL-Signature', 'URL-Paths',
                                          'URL-Methods', 'URL-Expires',
                                          'X-Project-ID')}
    forged = {**signed, 'URL-Signature': '0' * 64}
    url = confirming.url + asked['URL-Paths']
    assert requests.put(url, json={'confirmed': True}, headers=forged,
                        timeout=10).status_code == 403
    assert requests.put(url, json={'confirmed': True}, headers=signed,
                        timeout=10).status_code == 204
    # A confirmed subscriber cannot subscribe again (409).
    again = api('POST', f'/v2/queues/{queue}/subscriptions',
                {'subscriber': receiver.url(path), 'ttl': 3600})
    assert again.status_code == 409, again.text
    api.post(queue, 'for confirmed subscribers only')
    got = receiver.wait(path, 2)
    assert got[1].json['body'] == 'for confirmed subscribers only'
    # An unconfirmed subscriber subscribing again gets the same id and a
    # new confirmation request, which its lane sends after the message
    # that was not for it.
    assert api.subscribe(queue, receiver.url(lazy)) == lazy_id
    receiver.wait(lazy, 2)
    assert [d.json['Message_Type'] for d in receiver.received(lazy)] == \
        ['SubscriptionConfirmation'] * 2
    assert requests.put(url, json={'confirmed': False}, headers=signed,
                        timeout=10).status_code == 204
    got = receiver.wait(path, 3)
    assert got[2].json['Message_Type'] == 'UnsubscribeConfirmation'
    api.post(queue, 'not for you any more')
    assert api.subscribe(queue, receiver.url(path)) == subscription_id
    got = receiver.wait(path, 4)
    assert [d.json['Message_Type'] for d in got] == [
        'SubscriptionConfirmation', 'Notification',
        'UnsubscribeConfirmation', 'SubscriptionConfirmation']


def test_mail_subscribers_confirm_with_the_values_in_the_mail(confirming,
                                                             smtp):
    api = Api(confirming.url)
    queue, address = unique('q'), f'{uuid.uuid4().hex[:8]}@example.com'
    api.subscribe(queue, f'mailto:{address}')

    def mails():
        return [m for m in smtp.mails if m['To'] == address]

    [asked] = wait_for(mails, what='the confirmation mail')
    assert asked['Subject'] == f'Confirm your subscription to {queue}'
    signed = dict(line.split(': ', 1) for line in
                  asked.get_content().splitlines()
                  if line.startswith(('URL-', 'X-Project-ID: ')))
    assert set(signed) == {'URL-Paths', 'URL-Methods', 'URL-Signature',
                           'URL-Expires', 'X-Project-ID'}
    assert requests.put(confirming.url + signed['URL-Paths'],
                        json={'confirmed': True}, headers=signed,
                        timeout=10).status_code == 204
    [message_id] = api.post(queue, 'for the confirmed mailbox')
    got = wait_for(lambda: mails()[1:], what='the notification mail')
    assert json.loads(got[0].get_content())['id'] == message_id


def test_pending_deliveries_survive_a_server_crash(tmp_path, smtp):
    # Given a server whose subscriber is down when a message is posted,
    sink = WebhookReceiver()
    server = Service(service_conf(tmp_path, workers=1,
                                  **notifying_sections(smtp)))
    server.start()
    api = Api(server.url)
    queue = unique('q')
    subscription_id = api.subscribe(queue, sink.url('durable'),
                                    {'_retry_policy': FAST_RETRIES})
    api.post(queue, 'keep me')
    wait_for(lambda: retry_pending(server, subscription_id),
             what='a failed attempt')
    # when the whole server is killed and started again after the
    # subscriber came back,
    server.kill_all()
    sink.start()
    try:
        server.start()
        # then the delivery that was pending is made.
        [delivered] = sink.wait('durable', 1, timeout=40)
        assert delivered.json['body'] == 'keep me'
    finally:
        server.stop()
        sink.stop()


def test_expired_subscriptions_get_nothing(tmp_path, smtp, receiver):
    from zaqar_lite.storage.sqlite.driver import DataDriver

    server = Service(service_conf(tmp_path, workers=1,
                                  **notifying_sections(smtp)))
    server.start()
    try:
        api = Api(server.url)
        queue, path = unique('q'), unique('expiring')
        api('PUT', f'/v2/queues/{queue}')
        store = DataDriver(f'sqlite:///{tmp_path}/e2e.db')
        store.subscription_controller.create(
            queue, receiver.url(path), 1, {},
            project=api.headers['X-Project-ID'])
        store.close()
        assert len(api('GET', f'/v2/queues/{queue}/subscriptions').json()[
            'subscriptions']) == 1
        wait_for(lambda: api('GET', f'/v2/queues/{queue}/subscriptions')
                 .json()['subscriptions'] == [], what='the expiry')
        api.post(queue, 'too late')
        # The post queued its deliveries before it was answered: once the
        # outbox is empty, nothing more can be sent.
        wait_for(lambda: outbox_entries(server) == [], what='an empty outbox')
        assert receiver.received(path) == []
    finally:
        server.stop()


def test_sigterm_lets_the_server_stop(tmp_path, smtp):
    server = Service(service_conf(tmp_path, workers=1,
                                  **notifying_sections(smtp)))
    server.start()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(30) == 0
