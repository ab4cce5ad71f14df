"""The HTTP API as production builds it, over SQLite in ``tmp_path``.

Every test gets its own database file, so tests share nothing and run
safely in parallel.  Helpers are fixtures returning small functions that
answer the Falcon test result, so a test reads as the requests it makes.
"""

import uuid

import falcon.testing
import pytest

import zaqar_lite.bootstrap
import zaqar_lite.conf


def build_bootstrap(tmp_path, admin_mode=False):
    """A ``Bootstrap`` over a fresh SQLite file, configured as production."""
    conf = zaqar_lite.conf.load()
    conf.set_override('uri', f'sqlite:///{tmp_path}/q.db',
                      group='drivers:message_store:sqlite')
    conf.set_override('uri', f'sqlite:///{tmp_path}/management.db',
                      group='drivers:management_store:sqlite')
    if admin_mode:
        conf.set_override('admin_mode', True)
    return zaqar_lite.bootstrap.Bootstrap(conf)


@pytest.fixture
def client(tmp_path):
    bootstrap = build_bootstrap(tmp_path)
    yield falcon.testing.TestClient(bootstrap.app)
    bootstrap.close()


@pytest.fixture
def admin_client(tmp_path):
    bootstrap = build_bootstrap(tmp_path, admin_mode=True)
    yield falcon.testing.TestClient(bootstrap.app)
    bootstrap.close()


@pytest.fixture
def make_headers():
    """``make_headers(project='p', client_id=None)``: the v2 request headers.

    Each call without ``client_id`` stands for a different client.
    """
    def make(project='p', client_id=None):
        return {'Client-ID': client_id or str(uuid.uuid4()),
                'X-Project-ID': project}
    return make


@pytest.fixture
def headers(make_headers):
    """The headers of the client a test acts as (project ``p``)."""
    return make_headers()


@pytest.fixture
def reader(make_headers):
    """Another client of project ``p``: it sees messages without ``echo``."""
    return make_headers()


@pytest.fixture
def put_queue(client, headers):
    """``put_queue(name, metadata=None, headers=None)``: PUT a queue."""
    def put(name, metadata=None, headers=headers):
        return client.simulate_put(f'/v2/queues/{name}', headers=headers,
                                   json=metadata)
    return put


@pytest.fixture
def post_messages(client, headers):
    """``post_messages(queue, *messages, headers=None)``: the new ids.

    Each message is a dict (``body``, optionally ``ttl`` and ``delay``);
    the post must succeed.
    """
    def post(queue, *messages, headers=headers):
        resp = client.simulate_post(f'/v2/queues/{queue}/messages',
                                    headers=headers,
                                    json={'messages': list(messages)})
        assert resp.status_code == 201, resp.text
        return [href.rsplit('/', 1)[1] for href in resp.json['resources']]
    return post


@pytest.fixture
def claim(client, headers):
    """``claim(queue, ttl=120, grace=60, limit=None, headers=None)``.

    Returns the response of the claim create.
    """
    def create(queue, ttl=120, grace=60, limit=None, headers=headers):
        params = {} if limit is None else {'limit': limit}
        return client.simulate_post(f'/v2/queues/{queue}/claims',
                                    headers=headers, params=params,
                                    json={'ttl': ttl, 'grace': grace})
    return create


@pytest.fixture
def list_messages(client, reader):
    """``list_messages(queue, headers=reader, **params)``: the listing answer.

    By default another client than the poster lists, so echo does not hide
    anything.
    """
    def list_(queue, headers=reader, **params):
        return client.simulate_get(f'/v2/queues/{queue}/messages',
                                   headers=headers, params=params)
    return list_


@pytest.fixture
def stats(client, headers):
    """``stats(queue, headers=None)``: the ``messages`` part of queue stats."""
    def get(queue, headers=headers):
        resp = client.simulate_get(f'/v2/queues/{queue}/stats',
                                   headers=headers)
        assert resp.status_code == 200, resp.text
        return resp.json['messages']
    return get


def claim_id_of(resp):
    """The claim id from a claim create answer's ``Location``."""
    return resp.headers['location'].rsplit('/', 1)[1]


def ids_of(resp):
    """The message ids of a listing or claim answer, in order."""
    return [message['id'] for message in resp.json['messages']]
