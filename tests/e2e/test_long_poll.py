"""Long-poll claims on a real gunicorn (gthread).

Many clients waiting on one worker leave it serving everyone else: a
worker gives waiting claims threads of their own (``max_waiting_claims``
beyond ``threads``).  A post wakes waiting claims on every worker (two
here), on every store: these servers re-check only every 30 seconds,
longer than any wait, so only the doorbell can end a wait early.
"""

import concurrent.futures
import socket
import time
import uuid

import pytest
import requests

from tests.conftest import wait_for
from tests.e2e.conftest import Service, service_conf
from tests.storage.contract.conftest import build_driver

pytestmark = pytest.mark.e2e

WAIT = 20  # seconds each claim may wait: [transport] max_claim_wait
WAITERS = 60  # clients waiting at once on one server
TIMEOUT = WAIT + 30  # seconds a test waits for an answer the server owes


def store_sections(request, store, folder):
    """The configuration of ``store`` and the settings of a driver of it
    (``contract.conftest.build_driver``) for posting from this process."""
    if store == 'sqlite':
        uri = f'sqlite:///{folder}/e2e.db'
        return {}, ('sqlite', uri, {})
    if store == 'redis':
        uri, prefix = request.getfixturevalue('redis_server').uri, \
            f'e2e-{uuid.uuid4().hex[:8]}'
        return ({'drivers': {'message_store': 'redis'},
                 'drivers:message_store:redis': {'uri': uri,
                                                 'key_prefix': prefix}},
                ('redis', uri, {'key_prefix': prefix}))
    uri, database = request.getfixturevalue('ferretdb_server').uri, \
        f'e2e-{uuid.uuid4().hex[:8]}'
    return ({'drivers': {'message_store': 'mongodb'},
             'drivers:message_store:mongodb': {'uri': uri,
                                               'database': database}},
            ('mongodb', uri, {'database': database}))


def start_server(request, tmp_path_factory, store, workers=2, **more):
    folder = tmp_path_factory.mktemp(f'e2e-long-poll-{store}')
    sections, settings = store_sections(request, store, folder)
    running = Service(service_conf(
        folder, workers, transport={'claim_wait_recheck': 30}, **sections,
        **more), store=store)
    running.settings = settings
    running.start()
    return running


@pytest.fixture(scope='module', params=['sqlite', 'redis', 'mongodb'])
def server(request, tmp_path_factory):
    running = start_server(request, tmp_path_factory, request.param)
    yield running
    running.stop()


@pytest.fixture(scope='module')
def one_worker(request, tmp_path_factory):
    """One worker, so /v2/health sees every waiting claim; one store is
    enough where the store does not matter (threads)."""
    running = start_server(request, tmp_path_factory, 'sqlite', workers=1,
                           DEFAULT={'admin_mode': True})
    yield running
    running.stop()


def waiting_claims(server, headers):
    """The claims waiting in the worker that answers."""
    return requests.get(server.url + '/v2/health', headers=headers,
                        timeout=WAIT / 4).json()['waiting_claims']['waiting']


@pytest.fixture
def headers(project):
    return {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': project}


def claim(server, headers, queue, wait=WAIT, limit=1):
    """``(status, seconds taken)`` of one claim on a connection of its own."""
    started = time.monotonic()
    resp = requests.post(f'{server.url}/v2/queues/{queue}/claims',
                         headers=headers, params={'wait': wait,
                                                  'limit': limit},
                         timeout=TIMEOUT)
    return resp.status_code, time.monotonic() - started


def post(server, headers, queue, count):
    resp = requests.post(f'{server.url}/v2/queues/{queue}/messages',
                         headers=headers, timeout=TIMEOUT,
                         json={'messages': [{'body': n}
                                            for n in range(count)]})
    assert resp.status_code == 201


def others_are_served(server, headers):
    """A ping, a post and a claim on another queue are answered."""
    assert requests.get(server.url + '/v2/ping',
                        timeout=WAIT / 4).status_code == 204
    post(server, headers, 'busy', 1)
    status, _ = claim(server, headers, 'busy', wait=0)
    assert status == 201
    return True


def test_many_waiting_clients_do_not_starve_others(one_worker, headers):
    server = one_worker
    with concurrent.futures.ThreadPoolExecutor(WAITERS) as pool:
        waiting = [pool.submit(claim, server, headers, 'idle')
                   for _ in range(WAITERS)]
        wait_for(lambda: waiting_claims(server, headers) == WAITERS,
                 timeout=WAIT / 2, what=f'{WAITERS} claims to wait')
        for _ in range(3):
            assert others_are_served(server, headers)
        assert waiting_claims(server, headers) == WAITERS
        post(server, headers, 'idle', WAITERS)
        outcomes = [future.result(TIMEOUT) for future in waiting]
    assert [status for status, _ in outcomes] == [201] * WAITERS
    assert max(took for _, took in outcomes) < WAIT, \
        'a waiting claim was not woken by the post'


def test_a_post_through_the_server_wakes_claims_on_every_worker(server,
                                                                 headers):
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        waiting = [pool.submit(claim, server, headers, 'jobs')
                   for _ in range(10)]
        assert others_are_served(server, headers)
        post(server, headers, 'jobs', 10)
        outcomes = [future.result(TIMEOUT) for future in waiting]
    assert [status for status, _ in outcomes] == [201] * 10
    assert max(took for _, took in outcomes) < WAIT / 2, \
        'a waiting claim was not woken by the post'


def test_a_post_from_another_process_wakes_waiting_claims(server, headers,
                                                          project):
    requests.put(f'{server.url}/v2/queues/work', headers=headers,
                 timeout=TIMEOUT).raise_for_status()
    driver = build_driver(*server.settings)
    try:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            waiting = [pool.submit(claim, server, headers, 'work')
                       for _ in range(4)]
            assert others_are_served(server, headers)
            driver.message_controller.post(
                'work', [{'body': n, 'ttl': 300} for n in range(4)],
                'producer', project=project)
            outcomes = [future.result(TIMEOUT) for future in waiting]
    finally:
        driver.close()
    assert [status for status, _ in outcomes] == [201] * 4
    assert max(took for _, took in outcomes) < WAIT / 2, \
        'a waiting claim was not woken by the post'


def test_a_wait_with_nothing_posted_ends_in_204(server, headers):
    status, took = claim(server, headers, 'quiet', wait=1)
    assert status == 204
    assert took >= 1
    wait_for(lambda: others_are_served(server, headers), timeout=TIMEOUT)


def test_python_zaqarclient_long_polls_through_its_request_layer(server,
                                                                 project):
    # The example of docs/api.md, "Long-poll claims".
    from zaqarclient.queues.v2 import client as zaqar
    from zaqarclient.queues.v2 import core
    c = zaqar.Client(server.url, version=2, conf={
        'auth_opts': {'backend': 'noauth',
                      'options': {'os_project_id': project}}})
    c.queue('orders').post([{'body': {'order': 17}, 'ttl': 300}])

    req, trans = c._request_and_transport()
    req.params['wait'] = 20
    claimed = core.claim_create(trans, req, 'orders', ttl=300, grace=60,
                                limit=5)
    assert [m['body'] for m in claimed['messages']] == [{'order': 17}]

    req, trans = c._request_and_transport()
    req.params['wait'] = 1
    assert core.claim_create(trans, req, 'orders', ttl=300, grace=60) is None


def test_a_client_that_hangs_up_has_nothing_claimed_for_it(one_worker,
                                                           headers):
    server = one_worker
    sock = socket.create_connection(('127.0.0.1', server.port),
                                    timeout=TIMEOUT)
    request = [f'POST /v2/queues/gone/claims?wait={WAIT} HTTP/1.1',
               f'Host: 127.0.0.1:{server.port}', 'Content-Length: 0',
               *(f'{name}: {value}' for name, value in headers.items())]
    sock.sendall(('\r\n'.join(request) + '\r\n\r\n').encode())
    wait_for(lambda: waiting_claims(server, headers) == 1,
             timeout=WAIT / 2, what='the claim to wait')
    sock.close()
    post(server, headers, 'gone', 1)
    wait_for(lambda: waiting_claims(server, headers) == 0,
             timeout=WAIT / 2, what='the waiting claim to give up')
    status, _ = claim(server, headers, 'gone', wait=0)
    assert status == 201, 'the message was claimed for a client that left'
