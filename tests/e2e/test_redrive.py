"""A redrive job run by the housekeeper of a real server, across a restart."""

import json
import uuid

import requests

from tests.conftest import wait_for
from tests.e2e.conftest import Service, service_conf

COUNT = 20  # messages dead-lettered, then redriven


def test_a_redrive_job_shows_progress_and_survives_a_restart(tmp_path):
    server = Service(service_conf(tmp_path, workers=1))
    server.start()
    headers = {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': 'e2e-redrive'}
    url = server.url + '/v2/queues'
    session = requests.Session()
    session.headers.update(headers)
    try:
        # given: COUNT messages moved to dlq after too many claims
        assert session.put(f'{url}/orders', json={
            '_dead_letter_queue': 'dlq', '_max_claim_count': 1},
            timeout=10).status_code == 201
        session.post(f'{url}/orders/messages', json={'messages': [
            {'body': n} for n in range(COUNT)]}, timeout=10).raise_for_status()
        claim = session.post(f'{url}/orders/claims?limit={COUNT}',
                             json={'ttl': 60, 'grace': 60}, timeout=10)
        session.delete(server.url + claim.headers['location'], timeout=10)
        assert session.post(f'{url}/orders/claims', json={'ttl': 60},
                            timeout=10).status_code == 204
        assert stats(session, url, 'dlq')['total'] == COUNT

        # when: a slow redrive starts, its progress shows
        started = session.post(f'{url}/dlq/redrive', json={'rate': 2},
                               timeout=10)
        assert started.status_code == 202, started.text
        job_url = server.url + started.headers['location']
        wait_for(lambda: session.get(job_url, timeout=10).json()['moved'] > 0,
                 timeout=60, what='the job to move a message')
        during = session.get(job_url, timeout=10).json()
        assert during['state'] == 'running' and during['remaining'] > 0

        # and the whole server dies and starts again
        server.kill_all()
        server.start()

        # then: the job resumes and ends with every message moved once
        done = wait_for(lambda: ended(session, job_url), timeout=180,
                        what='the redrive job to end after the restart')
        assert done['state'] == 'done' and done['remaining'] == 0
        assert 0 < done['moved'] <= COUNT
        assert stats(session, url, 'dlq')['total'] == 0
        bodies = sorted(m['body'] for m in listing(session, url, 'orders'))
        assert bodies == list(range(COUNT))
    finally:
        server.stop()


def ended(session, job_url):
    job = session.get(job_url, timeout=10).json()
    return job if job['state'] != 'running' else None


def stats(session, url, queue):
    return session.get(f'{url}/{queue}/stats', timeout=10).json()['messages']


def listing(session, url, queue):
    """Every message of the queue, paging through it."""
    found, marker = [], None
    while True:
        params = {'echo': 'true', 'state': 'all', 'limit': 20}
        if marker:
            params['marker'] = marker
        page = session.get(f'{url}/{queue}/messages', params=params,
                           timeout=10).json()
        if not page['messages']:
            return found
        found += page['messages']
        marker = page['links'][0]['href'].rsplit('marker=', 1)[1]


# -- python-zaqarclient, through its request layer (as docs/api.md shows) ----

def raw(client, ref, operation='', body=None, **params):
    """Send a request python-zaqarclient has no method for: the operation
    only sets the HTTP method (none: GET), ``ref`` the path."""
    req, trans = client._request_and_transport()
    req.operation, req.ref = operation, ref
    req.params.update(params)
    if body is not None:
        req.content = json.dumps(body)
    return trans.send(req)


def test_zaqarclient_rejects_and_redrives(client):
    from zaqarclient.queues.v2 import core
    req, trans = client._request_and_transport()
    core.queue_create(trans, req, 'orders',
                      metadata={'_dead_letter_queue': 'orders-dlq'})
    queue = client.queue('orders')
    queue.post([{'body': {'order': n}} for n in range(3)])
    claim = queue.claim(ttl=60, grace=60)
    for message in claim:
        raw(client, f'queues/orders/messages/{message.id}/reject',
            'message_post', {'detail': 'no "sku" field'},
            claim_id=claim.id)
    dlq = raw(client, 'queues/orders-dlq/messages', state='all',
              echo='true').deserialized_content['messages']
    assert len(dlq) == 3
    assert {m['dead_letter']['detail'] for m in dlq} == {'no "sku" field'}
    started = raw(client, 'queues/orders-dlq/redrive', 'message_post',
                  {'rate': 50})
    assert started.status_code == 202
    job = wait_for(lambda: ended_job(client, 'orders-dlq'), timeout=60,
                   what='the redrive job to end')
    assert (job['state'], job['moved']) == ('done', 3)
    assert sorted(m.body['order'] for m in queue.messages(echo=True)) == \
        [0, 1, 2]
    raw(client, 'queues/orders-dlq/redrive', 'queue_delete')  # cancel: 204


def ended_job(client, queue):
    job = raw(client, f'queues/{queue}/redrive').deserialized_content
    return job if job['state'] != 'running' else None
