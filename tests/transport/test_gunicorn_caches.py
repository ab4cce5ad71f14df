"""gunicorn_caches: gunicorn's Date text and peer verdicts, kept."""

import time

import pytest
from gunicorn import util
from gunicorn.config import Config
from gunicorn.http import message

from zaqar_lite.transport.wsgi import gunicorn_caches
from zaqar_lite.transport.wsgi.gunicorn_caches import (DateOfTheSecond,
                                                       KeptVerdicts)

ORIGINAL_DATE = util.http_date
ORIGINAL_CHECK = message._ip_in_allow_list


def test_explicit_times_are_formatted_as_gunicorn_formats_them():
    dated = DateOfTheSecond(ORIGINAL_DATE)
    for timestamp in (0, 1.5, 1796285821.98, 2 ** 31 + 0.25):
        assert dated(timestamp) == ORIGINAL_DATE(timestamp)


def test_the_current_date_is_the_text_of_the_current_second(monkeypatch):
    clock = [1796285821.2]
    monkeypatch.setattr(time, 'time', lambda: clock[0])
    formatted = []
    dated = DateOfTheSecond(
        lambda stamp=None: formatted.append(stamp) or ORIGINAL_DATE(stamp))
    assert dated() == ORIGINAL_DATE(1796285821.2)
    clock[0] = 1796285821.9
    assert dated() == ORIGINAL_DATE(1796285821.9)
    assert len(formatted) == 1  # kept within the second
    clock[0] = 1796285822.01
    assert dated() == ORIGINAL_DATE(1796285822.01)
    assert len(formatted) == 2


def allow(setting):
    cfg = Config()
    cfg.set('forwarded_allow_ips', setting)
    return cfg.forwarded_allow_ips, cfg.forwarded_allow_networks()


PEERS = ['127.0.0.1', '10.1.2.3', '192.168.0.9', '::1', '2001:db8::7',
         'not an address', '']
SETTINGS = ['127.0.0.1,::1', '*', '10.0.0.0/8', '2001:db8::/32,127.0.0.1',
            '']


@pytest.mark.parametrize('setting', SETTINGS)
def test_every_verdict_is_gunicorn_s_even_when_kept(setting):
    allow_list, networks = allow(setting)
    kept = KeptVerdicts(ORIGINAL_CHECK)
    for _ in range(3):  # the first time decided, then kept
        for peer in PEERS:
            assert kept(peer, allow_list, networks) == \
                ORIGINAL_CHECK(peer, allow_list, networks), (peer, setting)


def test_other_lists_get_verdicts_of_their_own():
    kept = KeptVerdicts(ORIGINAL_CHECK)
    assert kept('10.1.2.3', *allow('10.0.0.0/8')) is True
    assert kept('10.1.2.3', *allow('127.0.0.1')) is False
    assert kept('10.1.2.3', *allow('*')) is True
    for _ in range(50):  # lists made and dropped: ids may come again
        assert kept('10.1.2.3', *allow('127.0.0.1')) is False


def test_at_most_so_many_verdicts_are_kept():
    kept = KeptVerdicts(ORIGINAL_CHECK, size=8)
    allow_list, networks = allow('10.0.0.0/8')
    for n in range(100):
        assert kept(f'10.0.0.{n}', allow_list, networks) is True
        assert len(kept._verdicts) <= 8


def test_install_replaces_both_once(monkeypatch):
    monkeypatch.setattr(util, 'http_date', ORIGINAL_DATE)
    monkeypatch.setattr(message, '_ip_in_allow_list', ORIGINAL_CHECK)
    assert gunicorn_caches.install() == [
        'gunicorn.util.http_date', 'gunicorn.http.message._ip_in_allow_list']
    assert isinstance(util.http_date, DateOfTheSecond)
    assert isinstance(message._ip_in_allow_list, KeptVerdicts)
    assert gunicorn_caches.install() == []  # not wrapped twice


def test_a_gunicorn_without_them_keeps_what_it_has(monkeypatch):
    monkeypatch.delattr(util, 'http_date')
    monkeypatch.delattr(message, '_ip_in_allow_list')
    assert gunicorn_caches.install() == []
