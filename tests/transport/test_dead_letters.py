"""Dead letters over HTTP: provenance, reject with a reason, redrive jobs."""

import json

import pytest

from tests.transport.conftest import claim_id_of

DLQ = {'_dead_letter_queue': 'dlq'}


@pytest.fixture
def reject(client, headers):
    """``reject(queue, message_id, claim_id=None, body=None)``: the answer."""
    def post(queue, message_id, claim_id=None, body=None, headers=headers):
        params = {} if claim_id is None else {'claim_id': claim_id}
        kwargs = {} if body is None else (
            {'body': body} if isinstance(body, str) else {'json': body})
        return client.simulate_post(
            f'/v2/queues/{queue}/messages/{message_id}/reject',
            headers=headers, params=params, **kwargs)
    return post


@pytest.fixture
def held(put_queue, post_messages, claim):
    """``held(*bodies)``: ``(claim id, ids)`` of messages of ``q`` (with a
    dead-letter queue) held by one claim."""
    def make(*bodies):
        put_queue('q', DLQ)
        ids = post_messages('q', *[{'body': body} for body in bodies])
        return claim_id_of(claim('q', limit=len(bodies))), ids
    return make


# -- queue metadata -----------------------------------------------------------

@pytest.mark.parametrize('metadata', [
    {'_dead_letter_queue': 'dlq', '_dead_letter_on_expiry': 'yes'},
    {'_dead_letter_queue': 'dlq', '_dead_letter_on_expiry': 1},
    {'_dead_letter_on_expiry': True},
])
def test_bad_dead_letter_on_expiry_is_refused_and_changes_nothing(
        client, headers, put_queue, metadata):
    assert put_queue('q', {'kept': 1}).status_code == 201
    resp = put_queue('q', metadata)
    assert resp.status_code == 400
    assert '_dead_letter_on_expiry' in resp.json['description']
    assert client.simulate_get('/v2/queues/q', headers=headers).json[
        'kept'] == 1


def test_dead_letter_on_expiry_is_kept(client, headers, put_queue):
    metadata = {**DLQ, '_dead_letter_on_expiry': True}
    assert put_queue('q', metadata).status_code == 201
    shown = client.simulate_get('/v2/queues/q', headers=headers).json
    assert shown['_dead_letter_on_expiry'] is True


def test_removing_the_dead_letter_queue_under_expiry_moves_is_refused(
        client, headers, put_queue):
    put_queue('q', {**DLQ, '_dead_letter_on_expiry': True})
    resp = client.simulate_patch(
        '/v2/queues/q', headers={**headers, 'Content-Type':
                                 'application/openstack-messaging-v2.0-'
                                 'json-patch'},
        body=json.dumps([{'op': 'remove',
                          'path': '/metadata/_dead_letter_queue'}]))
    assert resp.status_code == 400
    assert client.simulate_get('/v2/queues/q', headers=headers).json[
        '_dead_letter_queue'] == 'dlq'


# -- reject -------------------------------------------------------------------

def test_reject_moves_the_message_with_its_provenance(
        client, headers, held, reject, list_messages):
    claim_id, [mid, other] = held('bad', 'good')
    resp = reject('q', mid, claim_id, {'detail': 'no "sku" field'})
    assert resp.status_code == 204, resp.text
    assert [m['id'] for m in list_messages(
        'q', state='all').json['messages']] == [other]
    [moved] = list_messages('dlq', state='all').json['messages']
    assert moved['id'] == mid and moved['body'] == 'bad'
    assert moved['state'] == 'ready'
    origin = moved['dead_letter']
    assert {k: origin[k] for k in ('source', 'reason', 'claim_count',
                                   'detail')} == {
        'source': 'q', 'reason': 'rejected', 'claim_count': 1,
        'detail': 'no "sku" field'}
    assert origin['at'].endswith('Z')
    single = client.simulate_get(f'/v2/queues/dlq/messages/{mid}',
                                 headers=headers, params={'state': 'all'})
    assert single.json['dead_letter'] == origin


def test_default_message_json_does_not_grow(client, headers, held, reject,
                                            list_messages):
    # python-zaqarclient builds Message(**fields) and breaks on new keys
    claim_id, [mid] = held('bad')
    reject('q', mid, claim_id)
    [listed] = list_messages('dlq').json['messages']
    assert set(listed) == {'id', 'href', 'ttl', 'age', 'body'}
    single = client.simulate_get(f'/v2/queues/dlq/messages/{mid}',
                                 headers=headers)
    assert set(single.json) == {'id', 'href', 'ttl', 'age', 'body'}


def test_reject_without_a_body_records_no_detail(held, reject,
                                                 list_messages):
    claim_id, [mid] = held('bad')
    assert reject('q', mid, claim_id).status_code == 204
    [moved] = list_messages('dlq', state='all').json['messages']
    assert moved['dead_letter']['detail'] is None


def test_a_max_claims_move_shows_its_provenance(put_queue, post_messages,
                                                claim, client, headers,
                                                list_messages):
    put_queue('q', {**DLQ, '_max_claim_count': 1})
    post_messages('q', {'body': 'poison'})
    claim_id = claim_id_of(claim('q'))
    client.simulate_delete(f'/v2/queues/q/claims/{claim_id}', headers=headers)
    assert claim('q').status_code == 204
    [moved] = list_messages('dlq', state='all').json['messages']
    assert moved['dead_letter']['reason'] == 'max_claims'
    assert moved['dead_letter']['claim_count'] == 1


@pytest.mark.parametrize('body', [
    {'detail': 'x' * 1025}, {'detail': 7}, {'reason': 'bad'}, ['detail'],
    '{not json',
])
def test_a_bad_reject_body_is_refused_and_moves_nothing(held, reject, body,
                                                        list_messages):
    claim_id, [mid] = held('bad')
    resp = reject('q', mid, claim_id, body)
    assert resp.status_code == 400, resp.text
    assert list_messages('dlq').json['messages'] == []


def test_reject_needs_a_claim_id(held, reject):
    _, [mid] = held('bad')
    resp = reject('q', mid)
    assert resp.status_code == 400
    assert 'claim_id' in resp.json['description']


def test_reject_with_a_wrong_claim(held, reject):
    _, [mid] = held('bad')
    resp = reject('q', mid, '00000000-0000-0000-0000-000000000000')
    assert resp.status_code == 400
    assert resp.json['description'] == \
        'The specified claim does not exist or has expired.'


def test_reject_of_an_unclaimed_message(put_queue, post_messages, reject):
    put_queue('q', DLQ)
    [mid] = post_messages('q', {'body': 'free'})
    resp = reject('q', mid, '00000000-0000-0000-0000-000000000000')
    assert resp.status_code == 400
    assert 'not currently claimed' in resp.json['description']


def test_reject_of_an_unknown_message(held, reject):
    claim_id, _ = held('bad')
    resp = reject('q', 'no-such-message', claim_id)
    assert resp.status_code == 404


def test_reject_in_a_queue_without_dead_letter_queue(put_queue, post_messages,
                                                     claim, reject):
    put_queue('plain')
    [mid] = post_messages('plain', {'body': 'x'})
    claim_id = claim_id_of(claim('plain'))
    resp = reject('plain', mid, claim_id)
    assert resp.status_code == 409
    assert '_dead_letter_queue' in resp.json['description']


def test_reject_is_project_scoped(held, reject, make_headers):
    claim_id, [mid] = held('bad')
    resp = reject('q', mid, claim_id, headers=make_headers(project='other'))
    assert resp.status_code == 404


# -- redrive ------------------------------------------------------------------

@pytest.fixture
def redrive(client, headers):
    """``redrive(method, queue='dlq', body=None, headers=None)``."""
    def call(method, queue='dlq', body=None, headers=headers):
        kwargs = {} if body is None else {'json': body}
        return client.simulate_request(method, f'/v2/queues/{queue}/redrive',
                                       headers=headers, **kwargs)
    return call


@pytest.fixture
def dead_lettered(held, reject):
    """Two messages rejected from ``q`` into ``dlq``."""
    claim_id, ids = held('one', 'two')
    for mid in ids:
        assert reject('q', mid, claim_id).status_code == 204
    return ids


def test_a_redrive_is_started_followed_and_cancelled(dead_lettered, redrive):
    resp = redrive('POST', body={'rate': 5, 'limit': 10})
    assert resp.status_code == 202, resp.text
    assert resp.headers['location'] == '/v2/queues/dlq/redrive'
    job = resp.json
    assert {k: job[k] for k in ('queue', 'to', 'rate', 'limit', 'state',
                                'moved', 'remaining', 'finished',
                                'last_error', 'href')} == {
        'queue': 'dlq', 'to': None, 'rate': 5, 'limit': 10,
        'state': 'running', 'moved': 0, 'remaining': 2, 'finished': None,
        'last_error': None, 'href': '/v2/queues/dlq/redrive'}
    assert job['started'].endswith('Z')
    assert redrive('GET').json == job
    assert redrive('DELETE').status_code == 204
    cancelled = redrive('GET').json
    assert cancelled['state'] == 'cancelled' and cancelled['finished']
    assert redrive('DELETE').status_code == 204  # nothing left to cancel


def test_one_running_redrive_per_queue(dead_lettered, redrive):
    assert redrive('POST', body={'to': 'elsewhere'}).status_code == 202
    resp = redrive('POST')
    assert resp.status_code == 409
    assert redrive('GET').json['to'] == 'elsewhere'
    redrive('DELETE')
    assert redrive('POST').status_code == 202


def test_the_default_rate_is_the_configured_one(dead_lettered, redrive):
    assert redrive('POST').json['rate'] == 10


@pytest.mark.parametrize('body', [
    {'rate': 0}, {'rate': 1001}, {'rate': 'fast'}, {'rate': True},
    {'to': 'dlq'}, {'to': 'not a name'}, {'to': 5}, {'limit': 0},
    {'limit': 1.5}, {'from': 'q'}, ['to'],
])
def test_a_bad_redrive_request_is_refused_and_starts_nothing(
        dead_lettered, redrive, body):
    resp = redrive('POST', body=body)
    assert resp.status_code == 400, resp.text
    assert redrive('GET').status_code == 404


def test_redrive_of_a_missing_queue(redrive):
    assert redrive('POST', queue='nowhere').status_code == 404


def test_progress_of_a_queue_never_redriven(put_queue, redrive):
    put_queue('dlq')
    resp = redrive('GET')
    assert resp.status_code == 404
    assert 'redrive' in resp.json['description']


def test_redrive_jobs_are_project_scoped(dead_lettered, redrive,
                                        make_headers):
    other = make_headers(project='other')
    assert redrive('POST').status_code == 202
    assert redrive('GET', headers=other).status_code == 404
    assert redrive('DELETE', headers=other).status_code == 204
    assert redrive('GET').json['state'] == 'running'


def test_home_document_lists_reject_and_redrive(client):
    resources = client.simulate_get('/v2/').json['resources']
    assert resources['rel/message_reject']['href-template'] == \
        '/v2/queues/{queue_name}/messages/{message_id}/reject{?claim_id}'
    assert resources['rel/message_reject']['hints']['allow'] == ['POST']
    assert resources['rel/redrive']['hints']['allow'] == \
        ['POST', 'GET', 'DELETE']


def test_openapi_documents_reject_and_redrive(client):
    paths = client.simulate_get('/v2/openapi.json').json['paths']
    assert set(paths['/v2/queues/{queue_name}/redrive']) >= \
        {'post', 'get', 'delete'}
    assert 'post' in paths[
        '/v2/queues/{queue_name}/messages/{message_id}/reject']
    assert '/v2/topics/{queue_name}/redrive' not in paths
