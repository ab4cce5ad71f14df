"""``conf.snapshot.Snapshot``: an option group's values, read once."""

import pytest

from zaqar_lite import conf as zconf
from zaqar_lite.conf.snapshot import Snapshot


def test_a_snapshot_holds_every_option_of_its_group():
    conf = zconf.load([])
    conf.set_override('max_message_ttl', 4321, 'transport')
    limits = Snapshot(conf.transport)
    assert limits.max_message_ttl == limits['max_message_ttl'] == 4321
    assert {name: limits[name] for name in conf.transport} == \
        dict(conf.transport)


def test_a_snapshot_keeps_the_values_it_was_made_with():
    conf = zconf.load([])
    limits = Snapshot(conf.transport)
    before = limits.max_message_ttl
    conf.set_override('max_message_ttl', before + 1, 'transport')
    assert limits.max_message_ttl == before
    assert Snapshot(conf.transport).max_message_ttl == before + 1


def test_an_unknown_option_is_refused_both_ways():
    limits = Snapshot(zconf.load([]).transport)
    with pytest.raises(AttributeError):
        limits.no_such_option
    with pytest.raises(KeyError, match='no_such_option'):
        limits['no_such_option']
    assert getattr(limits, 'no_such_option', 'default') == 'default'
