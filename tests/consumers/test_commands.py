"""The command line of consumers: handlers' own subcommands, the
sections read, and the example orders handler end to end."""

import os
import uuid

import pytest

from tests.conftest import write_conf
from tests.consumers.helpers import post, queue_api, run_once
from zaqar_lite import conf as zconf
from zaqar_lite.cli import main
from zaqar_lite.consumers import config as consumer_config


def test_handler_subcommands_are_dispatched_with_their_arguments(
        setup, capsys):
    path, conf, api = setup()
    post(api, {'key': 'a1'}, {'key': 'a2'}, {'key': 'b1'})
    run_once(conf)
    assert main(['-c', str(path), 'events', 'count', '--prefix', 'a']) == 0
    assert "2 events starting with 'a'" in capsys.readouterr().out
    for shown, expected in ((['-h'], 'commands of consumer events'),
                            (['events', '-h'], 'count stored events')):
        with pytest.raises(SystemExit) as exited:
            main(['-c', str(path), *shown])
        assert exited.value.code == 0
        assert expected in capsys.readouterr().out


def test_a_consumer_whose_handler_is_missing_says_why(tmp_path, capsys):
    path = write_conf(tmp_path / 'zaqar.conf', {
        'consumer:ghost': {'queue': 'q', 'handler': 'no_such_handler_mod'}})
    assert main(['-c', str(path), 'ghost', 'anything', '--at', 'all']) == 1
    assert "handler 'no_such_handler_mod' cannot be imported" in \
        capsys.readouterr().err


def test_a_consumer_named_like_a_command_is_refused(
        tmp_path, handler_folder, capsys):
    path = write_conf(tmp_path / 'zaqar.conf', {
        'consumer:serve': {'queue': 'q', 'handler': 'zl_sample_handler'}})
    assert main(['-c', str(path), 'migrate']) == 1
    assert 'rename [consumer:serve]' in capsys.readouterr().err


def test_consumer_sections_are_read_from_the_file(tmp_path):
    path = write_conf(tmp_path / 'zaqar.conf', {
        'consumers': {'client_id': '6f1c7a52-3f5e-4c55-9a3f-0e4b0b2c1d11'},
        'consumer:a': {'queue': 'qa', 'handler': 'h.a', 'concurrency': 3},
        'consumer:b': {'queue': 'qb', 'handler': 'h.b', 'batch': 20}})
    conf = zconf.load([str(path)])
    found = consumer_config.consumers(conf).values()
    assert [(c.name, c.queue, c.handler, c.concurrency, c.batch)
            for c in found] == [('a', 'qa', 'h.a', 3, 10),
                                ('b', 'qb', 'h.b', 1, 20)]
    assert conf.consumers.client_id.startswith('6f1c7a52')


def test_the_example_orders_handler(tmp_path, queue_server, monkeypatch,
                                    capsys):
    monkeypatch.syspath_prepend(os.path.join(
        os.path.dirname(__file__), '..', '..', 'examples', 'orders-handler'))
    queue, project = f'orders-{uuid.uuid4().hex[:8]}', 'shop'
    path = write_conf(tmp_path / 'zaqar.conf', {
        'consumers': {'endpoint': queue_server.url, 'project': project,
                      'database': f'sqlite:///{tmp_path}/orders.db'},
        'consumer:orders': {'queue': queue, 'handler': 'orders_handler'}})
    post(queue_api(zconf.load([str(path)]), queue),
         {'order_id': 'A-1', 'customer': 'ann', 'amount': 9.5},
         {'order_id': 'A-2', 'customer': 'bob', 'amount': 1},
         {'order_id': 'A-1', 'customer': 'ann', 'amount': 9.5})

    def cli(*args):
        assert main(['-c', str(path), *args]) == 0
        return capsys.readouterr().out

    assert 'orders_handler: at 26fe0eb775c8' in cli('migrate')
    cli('worker', '--once')
    assert '2 orders, 10.50 in total' in cli('orders', 'total')
    assert '1 orders, 9.50 in total' in cli('orders', 'total',
                                            '--customer', 'ann')
