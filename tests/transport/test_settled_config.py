"""SettledConfig: a worker's gunicorn settings, read once each."""

import pytest
from gunicorn.config import Config

from zaqar_lite.transport.wsgi.settled_config import settled


def configured():
    cfg = Config()
    cfg.set('threads', 7)
    cfg.set('keepalive', 3)
    cfg.set('forwarded_allow_ips', '10.0.0.1,127.0.0.1')
    return cfg


def test_every_setting_reads_as_in_the_original():
    original = configured()
    copy = settled(original)
    for name in original.settings:
        assert getattr(copy, name) == getattr(original, name), name
    assert copy.is_ssl == original.is_ssl
    assert copy.forwarded_allow_networks() == \
        original.forwarded_allow_networks()


def test_a_setting_is_looked_up_once(monkeypatch):
    copy = settled(configured())
    looked_up = []
    get = type(copy.settings['threads']).get

    def counting(setting):
        looked_up.append(setting.name)
        return get(setting)

    monkeypatch.setattr(type(copy.settings['threads']), 'get', counting)
    assert [copy.threads for _ in range(5)] == [7] * 5
    assert looked_up == ['threads']


def test_the_original_is_left_as_it_was():
    original = configured()
    copy = settled(original)
    assert copy.threads == 7
    assert 'threads' not in vars(original)
    original.set('threads', 9)
    assert original.threads == 9


def test_unknown_names_are_still_refused():
    with pytest.raises(AttributeError):
        settled(configured()).no_such_setting
