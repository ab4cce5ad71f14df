"""Long-poll claims over HTTP: ``POST .../claims?wait=N``."""

import threading
import time

import falcon.testing
import pytest

from tests.transport.conftest import build_bootstrap, claim_id_of
from zaqar_lite import errors
from zaqar_lite.transport.websocket import actions

WAIT = 20  # seconds a claim waits in tests that must not wait it out
WAIT_TEXT = ('The wait of a claim may not exceed 20 seconds, and must be at '
             'least 0 seconds long.')


@pytest.fixture
def post_claim(client, headers):
    def post(queue, **params):
        return client.simulate_post(f'/v2/queues/{queue}/claims',
                                    headers=headers, params=params)
    return post


def in_thread(function, *args, **kwargs):
    """Run ``function`` in a thread; the returned ``outcome()`` joins it
    and gives ``(result, seconds taken)``."""
    box = {}

    def run():
        started = time.monotonic()
        box['result'] = function(*args, **kwargs)
        box['took'] = time.monotonic() - started
    thread = threading.Thread(target=run)
    thread.start()

    def outcome():
        thread.join(WAIT + 30)
        assert not thread.is_alive()
        return box['result'], box['took']
    return outcome


def waiting_claims(client):
    """How many claims the app holds waiting right now."""
    return client.app._router.find('/v2/queues/q/claims')[0].waiter.waiting


@pytest.mark.parametrize('wait, description', [
    ('-1', WAIT_TEXT),
    ('21', WAIT_TEXT),
    ('soon', 'The "wait" parameter is invalid. The value must be an '
             'integer.'),
])
def test_a_bad_wait_is_refused_and_nothing_claimed(post_claim, post_messages,
                                                   wait, description):
    post_messages('q', {'body': 1})
    resp = post_claim('q', wait=wait)
    assert resp.status_code == 400
    assert resp.json == {'title': 'Invalid parameter'
                         if wait == 'soon' else 'Invalid API request',
                         'description': description}
    assert post_claim('q').status_code == 201


def test_a_claim_with_messages_answers_at_once(post_claim, post_messages):
    post_messages('q', {'body': 1}, {'body': 2})
    resp, took = in_thread(post_claim, 'q', wait=WAIT)()
    assert resp.status_code == 201
    assert [m['body'] for m in resp.json['messages']] == [1, 2]
    assert took < WAIT / 2


@pytest.mark.parametrize('params', [{}, {'wait': '0'}])
def test_without_a_wait_an_empty_queue_answers_204(post_claim, post_messages,
                                                   params):
    post_messages('q', {'body': 'later', 'delay': 600})
    assert post_claim('q', **params).status_code == 204


def test_a_wait_that_finds_nothing_answers_204_after_it(post_claim,
                                                        post_messages):
    post_messages('q', {'body': 'later', 'delay': 600})
    resp, took = in_thread(post_claim, 'q', wait=1)()
    assert resp.status_code == 204
    assert took >= 1


def test_a_post_during_the_wait_answers_201(client, post_claim,
                                            post_messages):
    outcome = in_thread(post_claim, 'q', wait=WAIT, limit=5)
    assert_eventually(lambda: waiting_claims(client) == 1)
    ids = post_messages('q', {'body': 'now'})
    resp, took = outcome()
    assert resp.status_code == 201
    assert [m['id'] for m in resp.json['messages']] == ids
    assert resp.headers['location'].startswith('/v2/queues/q/claims/')
    assert claim_id_of(resp)
    assert took < WAIT / 2, 'the post did not wake the claim'
    assert waiting_claims(client) == 0


def assert_eventually(predicate):
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, 'timed out'
        time.sleep(0.01)


def build_client(tmp_path, overrides):
    """A client of an app with ``{(group, option): value}`` overrides."""
    bootstrap = build_bootstrap(tmp_path)
    for (group, name), value in overrides.items():
        bootstrap.conf.set_override(name, value, group=group)
    return bootstrap, falcon.testing.TestClient(bootstrap.app)


def test_max_claim_wait_bounds_the_wait(tmp_path, headers):
    bootstrap, client = build_client(
        tmp_path, {('transport', 'max_claim_wait'): 0})
    try:
        resp = client.simulate_post('/v2/queues/q/claims', headers=headers,
                                    params={'wait': '1'})
        assert resp.status_code == 400
        assert resp.json['description'] == (
            'The wait of a claim may not exceed 0 seconds, and must be at '
            'least 0 seconds long.')
    finally:
        bootstrap.close()


def test_a_claim_beyond_the_waiting_cap_is_503_unless_it_claims(
        tmp_path, make_headers):
    bootstrap, client = build_client(
        tmp_path, {('drivers:transport:wsgi', 'max_waiting_claims'): 1})
    headers = make_headers()

    def claim(queue, wait):
        return client.simulate_post(f'/v2/queues/{queue}/claims',
                                    headers=headers,
                                    params={'wait': str(wait)})
    try:
        outcome = in_thread(claim, 'q', WAIT)
        assert_eventually(lambda: waiting_claims(client) == 1)
        refused = claim('empty', 5)
        assert refused.status_code == 503
        assert refused.headers['retry-after'] == '1'
        assert refused.json['title'] == 'Too many waiting claims'
        client.simulate_post('/v2/queues/other/messages', headers=headers,
                             json={'messages': [{'body': 1}]})
        assert claim('other', 5).status_code == 201  # claimed at once
        client.simulate_post('/v2/queues/q/messages', headers=headers,
                             json={'messages': [{'body': 2}]})
        assert outcome()[0].status_code == 201
    finally:
        bootstrap.close()


def test_the_sync_worker_class_holds_no_waiting_claim(tmp_path, headers):
    bootstrap, client = build_client(
        tmp_path, {('drivers:transport:wsgi', 'worker_class'): 'sync'})
    try:
        resp = client.simulate_post('/v2/queues/q/claims', headers=headers,
                                    params={'wait': '5'})
        assert resp.status_code == 503
    finally:
        bootstrap.close()


def test_the_home_document_names_the_wait(client):
    resource = client.simulate_get('/v2/').json['resources']['rel/post_claim']
    assert resource['href-template'] == \
        '/v2/queues/{queue_name}/claims{?limit,wait}'
    assert resource['href-vars']['wait'] == \
        'param/claim_wait'


def test_the_openapi_document_names_the_wait(client):
    post = client.simulate_get('/v2/openapi.json').json['paths'][
        '/v2/queues/{queue_name}/claims']['post']
    [wait] = [p for p in post['parameters'] if p.get('name') == 'wait']
    assert wait['in'] == 'query'
    assert wait['schema'] == {'type': 'integer', 'minimum': 0,
                              'maximum': 20}


def test_websocket_claims_do_not_wait():
    with pytest.raises(errors.ValidationError, match='WebSocket'):
        actions.to_http(actions.ACTIONS['claim_create'],
                        {'queue_name': 'q', 'wait': 5})
    plain = actions.to_http(actions.ACTIONS['claim_create'],
                            {'queue_name': 'q', 'limit': 2})
    assert plain.query == [('limit', '2')]


class ZaqarClaimStage:
    """A claim stage with exactly the signature Zaqar's stages hook."""

    def __init__(self):
        self.calls = []

    def create(self, queue, metadata, project=None, limit=10):
        self.calls.append((queue, metadata, project, limit))


def test_claim_stages_see_every_attempt_with_zaqars_signature(tmp_path):
    from tests.storage.contract.conftest import build_driver
    from zaqar_lite.storage.pipeline import Pipeline
    from zaqar_lite.transport.longpoll import ClaimWaiter

    driver = build_driver('sqlite', f'sqlite:///{tmp_path}/q.db', {})
    stage = ZaqarClaimStage()
    waiter = ClaimWaiter(Pipeline([stage], driver.claim_controller),
                         driver.doorbell, max_waiting=1, recheck=0.2)
    try:
        driver.queue_controller.create('q', project='p')
        assert waiter.create('q', {'ttl': 60, 'grace': 60}, project='p',
                             limit=3, wait=1) == (None, [])
    finally:
        driver.close()
    assert len(stage.calls) >= 3  # at once, while listening, at the end
    assert all(call == ('q', {'ttl': 60, 'grace': 60}, 'p', 3)
               for call in stage.calls)
