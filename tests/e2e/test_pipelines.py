"""Storage stages, pip-installed and configured, on a real server.

./scripts/test installs examples/protect-queues, examples/queue-quota and
tests/stage_packages/test-stages the way an operator would.
"""

import subprocess
import sys
import uuid

import pytest
import requests

from tests.e2e.conftest import Service, service_conf


def headers():
    return {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': 'stages'}


@pytest.fixture(scope='module')
def staged(tmp_path_factory):
    folder = tmp_path_factory.mktemp('stages')
    log = folder / 'stages.log'
    conf = service_conf(folder, workers=1, storage={
        'queue_pipeline': 'test_record_first, test_hooks_nothing, '
                          'test_always_created, test_record_second',
        'message_pipeline': 'test_record_first, test_zaqar_style, '
                            'test_record_second'})
    service = Service(conf, env={'ZAQAR_LITE_STAGE_LOG': str(log)})
    service.start()
    yield service, log
    service.stop()


def lines_about(log, word):
    return [line for line in log.read_text().splitlines() if word in line]


def test_stages_run_in_order_then_the_controller(staged):
    service, log = staged
    resp = requests.put(f'{service.url}/v2/queues/ordered',
                        headers=headers())
    assert resp.status_code == 201
    assert lines_about(log, 'ordered') == ['first create ordered',
                                           'second create ordered']
    again = requests.put(f'{service.url}/v2/queues/ordered',
                         headers=headers())
    assert again.status_code == 204, 'the controller answered False'


def test_stage_without_the_method_is_skipped(staged):
    # Built by the master's start-up check and by the worker; never called,
    # yet the calls passed it (see the ordering test).
    _, log = staged
    lines = lines_about(log, 'hooks-nothing')
    assert lines and set(lines) == {'hooks-nothing built'}


def test_non_none_result_halts_and_reaches_the_transport(staged):
    service, log = staged
    hdrs = headers()
    for _ in range(2):
        resp = requests.put(f'{service.url}/v2/queues/halt-here',
                            headers=hdrs)
        assert resp.status_code == 201, 'the stage answered True'
    assert lines_about(log, 'halt-here') == [
        'first create halt-here', 'halted create halt-here'] * 2
    listed = requests.get(f'{service.url}/v2/queues', headers=hdrs).json()
    assert 'halt-here' not in [q['name'] for q in listed['queues']]


def test_zaqar_stage_is_built_as_zaqar_builds_it(staged):
    service, log = staged
    resp = requests.post(f'{service.url}/v2/queues/posted/messages',
                         json={'messages': [{'body': 1}, {'body': 2}]},
                         headers=headers())
    assert resp.status_code == 201
    assert set(lines_about(log, 'zaqar-style built')) == {
        'zaqar-style built args=0 kwargs=max_notifier_workers,'
        'queue_controller,require_confirmation,subscription_controller'}
    assert lines_about(log, 'post posted') == [
        'first post posted 2', 'zaqar-style post posted 2',
        'second post posted 2']


def test_example_stages_protect_queues_and_enforce_quota(tmp_path):
    conf = service_conf(
        tmp_path, workers=1,
        storage={'queue_pipeline': 'queue_quota, protect_queues'},
        queue_quota={'max_queues_per_project': 2},
        protect_queues={'names': 'keep-*'})
    service = Service(conf)
    service.start()
    url, hdrs = f'{service.url}/v2/queues', headers()
    try:
        assert requests.put(f'{url}/keep-me', headers=hdrs).status_code == 201
        refused = requests.delete(f'{url}/keep-me', headers=hdrs)
        assert refused.status_code == 403
        assert refused.json()['description'] == \
            'Queue keep-me is protected and cannot be deleted.'
        assert requests.put(f'{url}/b', headers=hdrs).status_code == 201
        over = requests.put(f'{url}/c', headers=hdrs)
        assert over.status_code == 403
        assert 'has 2 queues' in over.json()['description']
        lazy = requests.post(f'{url}/d/messages', headers=hdrs,
                             json={'messages': [{'body': 1}]})
        assert lazy.status_code == 403
        assert requests.delete(f'{url}/b', headers=hdrs).status_code == 204
        assert requests.put(f'{url}/c', headers=hdrs).status_code == 201
        names = [q['name'] for q in
                 requests.get(url, headers=hdrs).json()['queues']]
        assert names == ['c', 'keep-me']
    finally:
        service.stop()


@pytest.mark.parametrize('stage, expected', [
    ('no_such_stage', ["[storage] queue_pipeline: no stage named "
                       "'no_such_stage'", 'protect_queues',
                       'test_zaqar_style']),
    ('test_broken', ["[storage] queue_pipeline: cannot load 'test_broken'",
                     'this stage is broken on purpose']),
])
def test_unloadable_stage_stops_the_server(tmp_path, stage, expected):
    conf = service_conf(tmp_path, storage={'queue_pipeline': stage})
    done = subprocess.run(
        [sys.executable, '-m', 'zaqar_lite.cli', 'serve', '--config-file',
         str(conf)], capture_output=True, text=True, timeout=60,
        env={'ZAQAR_LITE_STAGE_LOG': str(tmp_path / 'log'),
             **__import__('os').environ})
    assert done.returncode == 1
    for text in expected:
        assert text in done.stderr
