"""The SSRF guard: refused at subscription time and again at connect time."""

import ipaddress

import pytest

from tests.engines.webhook_receiver import WebhookReceiver
from zaqar_lite import conf as zconf
from zaqar_lite.errors import ValidationError
from zaqar_lite.notification.egress import EgressPolicy, EgressRefused, kind_of
from zaqar_lite.notification.tasks.base import Delivery, DeliveryFailed
from zaqar_lite.notification.tasks.webhook import WebhookTask


@pytest.mark.parametrize('address, kind', [
    ('127.0.0.1', 'loopback'), ('::1', 'loopback'),
    ('10.1.2.3', 'private'), ('192.168.0.1', 'private'),
    ('172.16.0.1', 'private'), ('169.254.169.254', 'link-local'),
    ('fe80::1', 'link-local'), ('100.64.0.1', 'non-public'),
    ('0.0.0.0', 'unspecified'), ('224.0.0.1', 'multicast'),
    ('::ffff:10.0.0.1', 'private'), ('64:ff9b::7f00:1', 'loopback'),
    ('2002:a9fe:a9fe::', 'link-local'), ('fd00::1', 'private'),
    ('93.184.216.34', None), ('2606:4700::1111', None)])
def test_address_kinds(address, kind):
    assert kind_of(ipaddress.ip_address(address)) == kind


def test_allowed_networks_open_a_hole_and_nothing_more():
    policy = EgressPolicy(['127.0.0.0/8'])
    policy.check_address('127.0.0.1')
    with pytest.raises(EgressRefused, match='10.0.0.1 is a private address'):
        policy.check_address('10.0.0.1')


def webhook(allowed=''):
    conf = zconf.load()
    conf.set_override('webhook_allowed_networks',
                      [allowed] if allowed else [], group='notification')
    conf.set_override('webhook_timeout', 5.0, group='notification')
    return WebhookTask(conf)


def delivery(url):
    subscription = {'id': 's', 'subscriber': url, 'options': {}}
    return Delivery(subscription, {'body': 1}, 'd', 1)


def test_subscriber_check_names_the_reason():
    with pytest.raises(ValidationError, match='loopback'):
        webhook().check('http://localhost:8080/hook', {})
    with pytest.raises(ValidationError, match='cannot be resolved'):
        webhook().check('http://no-such-host.invalid/hook', {})
    webhook().check('http://93.184.216.34/hook', {})


def test_a_connection_to_a_refused_address_is_never_made():
    # As if DNS had answered a public address at subscription time and a
    # loopback one at delivery time: the socket's peer is what is checked.
    receiver = WebhookReceiver().start()
    try:
        with pytest.raises(DeliveryFailed) as caught:
            webhook().send(delivery(receiver.url('x')))
        assert not caught.value.retryable
        assert 'loopback' in str(caught.value)
        assert receiver.deliveries == []
        webhook('127.0.0.0/8').send(delivery(receiver.url('x')))
        assert len(receiver.received('x')) == 1
    finally:
        receiver.stop()


def test_redirects_are_not_followed():
    receiver = WebhookReceiver().start()
    receiver.fail('moved', times=1, status=307)
    try:
        with pytest.raises(DeliveryFailed, match='307') as caught:
            webhook('127.0.0.0/8').send(delivery(receiver.url('moved')))
        assert not caught.value.retryable
    finally:
        receiver.stop()
