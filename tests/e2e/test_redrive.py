"""A redrive job run by the housekeeper of a real server, across a restart."""

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
