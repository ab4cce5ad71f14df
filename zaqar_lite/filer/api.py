"""The few HTTP calls the bridge and the consumer workers make to a zaqar
(or zaqar-lite) queue."""

import uuid

import requests

from zaqar_lite import errors

TIMEOUT = 30  # seconds for any one request


class ApiUnavailable(Exception):
    """The server could not be reached or failed; try again later."""


class QueueApi:
    """One queue of a Zaqar v2 endpoint, over a kept-alive session.

    Args:
        endpoint: e.g. ``http://127.0.0.1:8888``.
        queue: the queue name.
        project: sent as ``X-Project-ID``.
        client_id: sent as ``Client-ID``; a new UUID when omitted.
    """

    def __init__(self, endpoint, queue, project, client_id=None):
        self.url = f'{endpoint.rstrip("/")}/v2/queues/{queue}'
        self.session = requests.Session()
        self.session.headers.update({
            'Client-ID': client_id or str(uuid.uuid4()),
            'X-Project-ID': project, 'Content-Type': 'application/json'})

    def post(self, messages) -> tuple[int, str]:
        """Post messages; returns the status and, on a 4xx, the reason."""
        resp = self._send('POST', '/messages', json={'messages': messages})
        if resp.status_code == 201:
            return 201, ''
        return resp.status_code, _description(resp)

    def claim(self, limit, ttl, grace=60):
        """Claim up to ``limit`` messages: ``(claim_id, messages)``.

        Raises:
            ApiUnavailable: the server cannot be reached or failed.
            ConfigurationError: the server refused the claim (4xx: the
                TTL, the project or the credentials are wrong).
        """
        resp = self._send('POST', '/claims', params={'limit': limit},
                          json={'ttl': ttl, 'grace': grace})
        if resp.status_code == 204:
            return None, []
        if resp.status_code >= 400:
            raise errors.ConfigurationError(
                f'claiming from {self.url} was refused: {resp.status_code} '
                f'{_description(resp)}')
        claim_id = resp.headers['Location'].rsplit('/', 1)[1]
        return claim_id, resp.json()['messages']

    def renew(self, claim_id, ttl, grace=60):
        """Extend a claim to ``ttl`` seconds from now (ApiUnavailable when
        it has expired or was released)."""
        self._send('PATCH', f'/claims/{claim_id}',
                   json={'ttl': ttl, 'grace': grace})

    def metadata(self) -> dict:
        """The queue's metadata (with the reserved ``_`` keys)."""
        return self._send('GET', '').json()

    def delete(self, message_ids, claim_id):
        """Delete claimed messages in one request."""
        self._send('DELETE', '/messages',
                   params={'ids': ','.join(message_ids),
                           'claim_ids': claim_id})

    def delete_one(self, message_id, claim_id):
        """Delete one claimed message (works against Zaqar too, whose bulk
        delete ignores claims)."""
        self._send('DELETE', f'/messages/{message_id}',
                   params={'claim_id': claim_id})

    def release(self, claim_id):
        """Release a claim: its messages that remain become claimable."""
        self._send('DELETE', f'/claims/{claim_id}')

    def _send(self, method, path, **kwargs):
        try:
            resp = self.session.request(method, self.url + path,
                                        timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise ApiUnavailable(str(exc)) from exc
        if resp.status_code >= 500 or (
                resp.status_code >= 400 and method != 'POST'):
            raise ApiUnavailable(f'{method} {path}: {resp.status_code} '
                                 f'{_description(resp)}')
        return resp


def _description(resp):
    try:
        return resp.json().get('description', resp.text)
    except ValueError:
        return resp.text
