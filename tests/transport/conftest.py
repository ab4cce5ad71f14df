"""The app as production builds it, over SQLite in tmp_path."""

import uuid

import pytest
from falcon import testing

from zaqar_lite import conf as zconf
from zaqar_lite.bootstrap import Bootstrap


def build_client(tmp_path, **overrides):
    conf = zconf.load()
    conf.set_override('uri', f'sqlite:///{tmp_path}/api.db',
                      group='drivers:message_store:sqlite')
    conf.set_override('synchronous', 'NORMAL',
                      group='drivers:message_store:sqlite')
    for name, value in overrides.items():
        conf.set_override(name, value)
    return testing.TestClient(Bootstrap(conf).app)


@pytest.fixture
def client(tmp_path):
    return build_client(tmp_path)


def make_headers(project='p', client_id=None):
    return {'Client-ID': client_id or str(uuid.uuid4()),
            'X-Project-ID': project}


@pytest.fixture
def headers():
    return make_headers()


class Api:
    """Short calls for the common requests of a test."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def post(self, queue, *messages, headers=None):
        return self.client.simulate_post(
            f'/v2/queues/{queue}/messages', headers=headers or self.headers,
            json={'messages': list(messages)})

    def claim(self, queue, limit=None, **body):
        params = {'limit': limit} if limit else None
        return self.client.simulate_post(
            f'/v2/queues/{queue}/claims', headers=self.headers, params=params,
            json=body or {'ttl': 120, 'grace': 60})

    def list(self, queue, **params):
        params.setdefault('echo', 'true')
        return self.client.simulate_get(f'/v2/queues/{queue}/messages',
                                        headers=self.headers, params=params)

    def bodies(self, queue, **params):
        return [m['body'] for m in self.list(queue, **params).json['messages']]


@pytest.fixture
def api(client, headers):
    return Api(client, headers)
