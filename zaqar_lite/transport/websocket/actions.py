"""Actions: each WebSocket action is the request of one HTTP route.

``ACTIONS`` maps Zaqar's action names to the HTTP method and path they
stand for, which body fields become query parameters and which the JSON
document.  :func:`to_http` turns a request frame's body into that HTTP
request; what the route then does (validation, storage, errors) is the
HTTP API's own.
"""

import dataclasses
import re

from zaqar_lite.errors import ValidationError

JSON = 'application/json'
QUEUE = '/v2/queues/{queue_name}'
PLACEHOLDER = re.compile(r'{(\w+)}')


@dataclasses.dataclass(frozen=True)
class Action:
    """The HTTP request an action stands for.

    Attributes:
        method: the HTTP method.
        path: the route, with ``{field}`` placeholders filled from the body.
        query: ``{body field: query parameter}``.
        fields: body fields that form the JSON document (None: no document).
        document: the one body field that is the whole JSON document.
        refused: ``{body field: why}`` for fields the HTTP route takes but
            this transport does not.
    """

    method: str
    path: str
    query: dict = dataclasses.field(default_factory=dict)
    fields: tuple | None = None
    document: str | None = None
    refused: dict = dataclasses.field(default_factory=dict)


def _same(*names):
    return {name: name for name in names}


LISTING = _same('marker', 'limit')
ACTIONS = {
    'get_home_doc': Action('GET', '/v2'),
    'ping': Action('GET', '/v2/ping'),
    'health': Action('GET', '/v2/health'),
    'queue_list': Action('GET', '/v2/queues', _same(
        'marker', 'limit', 'detailed', 'with_count', 'name')),
    'queue_create': Action('PUT', QUEUE, document='metadata'),
    'queue_get': Action('GET', QUEUE),
    'queue_delete': Action('DELETE', QUEUE),
    'queue_get_stats': Action('GET', QUEUE + '/stats'),
    'queue_purge': Action('POST', QUEUE + '/purge',
                          fields=('resource_types',)),
    'message_list': Action('GET', QUEUE + '/messages', _same(
        'marker', 'limit', 'echo', 'include_claimed', 'include_delayed')),
    'message_get': Action('GET', QUEUE + '/messages/{message_id}'),
    'message_get_many': Action('GET', QUEUE + '/messages',
                               {'message_ids': 'ids'}),
    'message_post': Action('POST', QUEUE + '/messages',
                           fields=('messages',)),
    'message_delete': Action('DELETE', QUEUE + '/messages/{message_id}',
                             _same('claim_id')),
    'message_delete_many': Action('DELETE', QUEUE + '/messages', {
        'message_ids': 'ids', 'claim_ids': 'claim_ids', 'pop': 'pop'}),
    'claim_create': Action('POST', QUEUE + '/claims', _same('limit'),
                           fields=('ttl', 'grace'), refused={
        'wait': 'claim_create does not wait over WebSocket (a waiting '
                'claim would hold one of the threads every connection '
                'shares): subscribe the socket to the queue '
                '(subscription_create without a subscriber) to have its '
                'messages pushed, or long-poll over HTTP '
                '(POST .../claims?wait=N).'}),
    'claim_get': Action('GET', QUEUE + '/claims/{claim_id}'),
    'claim_update': Action('PATCH', QUEUE + '/claims/{claim_id}',
                           fields=('ttl', 'grace')),
    'claim_delete': Action('DELETE', QUEUE + '/claims/{claim_id}'),
    'subscription_create': Action('POST', QUEUE + '/subscriptions',
                                  fields=('subscriber', 'ttl', 'options')),
    'subscription_list': Action('GET', QUEUE + '/subscriptions', LISTING),
    'subscription_get': Action(
        'GET', QUEUE + '/subscriptions/{subscription_id}'),
    'subscription_delete': Action(
        'DELETE', QUEUE + '/subscriptions/{subscription_id}'),
    'pool_list': Action('GET', '/v2/pools', _same('marker', 'limit',
                                                  'detailed')),
    'pool_create': Action('PUT', '/v2/pools/{pool_name}', fields=(
        'weight', 'uri', 'flavor', 'options')),
    'pool_get': Action('GET', '/v2/pools/{pool_name}', _same('detailed')),
    'pool_update': Action('PATCH', '/v2/pools/{pool_name}', fields=(
        'weight', 'uri', 'flavor', 'options')),
    'pool_delete': Action('DELETE', '/v2/pools/{pool_name}'),
    'flavor_list': Action('GET', '/v2/flavors', LISTING),
    'flavor_create': Action('PUT', '/v2/flavors/{flavor_name}',
                            fields=('pool_list', 'capabilities')),
    'flavor_get': Action('GET', '/v2/flavors/{flavor_name}'),
    'flavor_update': Action('PATCH', '/v2/flavors/{flavor_name}',
                            fields=('pool_list', 'capabilities')),
    'flavor_delete': Action('DELETE', '/v2/flavors/{flavor_name}'),
}
# Zaqar's older names of the node actions
ACTIONS['ping_node'] = ACTIONS['ping']
ACTIONS['check_node_health'] = ACTIONS['health']


@dataclasses.dataclass(frozen=True)
class HttpRequest:
    """An action as an HTTP request: what the WSGI app is called with."""

    method: str
    path: str
    query: list
    document: object = None  # a JSON value, or None for no body


def to_http(action: Action, body: dict) -> HttpRequest:
    """The HTTP request of ``action`` with the frame's ``body``.

    Raises:
        ValidationError: a path field is missing or not a path segment, or
            a query field has a type no query parameter can carry.
    """
    for name, why in action.refused.items():
        if name in body:
            raise ValidationError(why, title='Invalid request body')
    path = PLACEHOLDER.sub(lambda match: _segment(body, match[1]),
                           action.path)
    query = [(param, _query_value(name, body[name]))
             for name, param in action.query.items()
             if body.get(name) is not None]
    document = None
    if action.document is not None:
        document = body.get(action.document)
    elif action.fields is not None:
        document = {name: body[name] for name in action.fields
                    if name in body}
    return HttpRequest(action.method, path, query, document)


def _segment(body, name):
    if name not in body:
        raise ValidationError(f'Missing "{name}" field.',
                              title='Invalid request body')
    value = body[name]
    if not isinstance(value, str) or not value or '/' in value:
        raise ValidationError(
            f'The value of the "{name}" field must be a non-empty string '
            'without "/".', title='Invalid request body')
    return value


def _query_value(name, value) -> str:
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str)
                                       for item in value):
        return ','.join(value)
    raise ValidationError(
        f'The value of the "{name}" field must be a string, a number, a '
        'boolean or a list of strings.', title='Invalid request body')
