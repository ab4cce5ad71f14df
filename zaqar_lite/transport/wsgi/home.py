"""The versions document (/) and the v2 home document (/v2/)."""

import json

import falcon

UPDATED = '2014-09-24T04:06:47Z'
MEDIA_TYPES = [{'base': 'application/json',
                'type': 'application/vnd.openstack.messaging-v2+json'}]

_QUEUE = '/v2/queues/{queue_name}'
_PARAM = 'param/'
RESOURCES = {
    'rel/queues': {'href-template': '/v2/queues{?marker,limit,detailed}',
                   'href-vars': {'marker': _PARAM + 'marker',
                                 'limit': _PARAM + 'queue_limit',
                                 'detailed': _PARAM + 'detailed'},
                   'hints': {'allow': ['GET'],
                             'formats': {'application/json': {}}}},
    'rel/queue': {'href-template': _QUEUE,
                  'href-vars': {'queue_name': _PARAM + 'queue_name'},
                  'hints': {'allow': ['PUT', 'GET', 'PATCH', 'DELETE'],
                            'formats': {'application/json': {}}}},
    'rel/queue_stats': {'href-template': _QUEUE + '/stats',
                        'href-vars': {'queue_name': _PARAM + 'queue_name'},
                        'hints': {'allow': ['GET'],
                                  'formats': {'application/json': {}}}},
    'rel/purge': {'href-template': _QUEUE + '/purge',
                  'href-vars': {'queue_name': _PARAM + 'queue_name'},
                  'hints': {'allow': ['POST'],
                            'formats': {'application/json': {}}}},
    'rel/messages': {
        'href-template': _QUEUE + '/messages{?marker,limit,echo,'
                                  'include_claimed,include_delayed,state}',
        'href-vars': {'queue_name': _PARAM + 'queue_name',
                      'marker': _PARAM + 'marker',
                      'limit': _PARAM + 'messages_limit',
                      'echo': _PARAM + 'echo',
                      'include_claimed': _PARAM + 'include_claimed',
                      'include_delayed': _PARAM + 'include_delayed',
                      'state': _PARAM + 'state'},
        'hints': {'allow': ['GET'], 'formats': {'application/json': {}}}},
    'rel/post_messages': {
        'href-template': _QUEUE + '/messages',
        'href-vars': {'queue_name': _PARAM + 'queue_name'},
        'hints': {'allow': ['POST'], 'formats': {'application/json': {}},
                  'accept-post': ['application/json']}},
    'rel/messages_delete': {
        'href-template': _QUEUE + '/messages{?ids,pop,claim_ids}',
        'href-vars': {'queue_name': _PARAM + 'queue_name',
                      'ids': _PARAM + 'ids', 'pop': _PARAM + 'pop',
                      'claim_ids': _PARAM + 'claim_ids'},
        'hints': {'allow': ['DELETE'], 'formats': {'application/json': {}}}},
    'rel/message_delete': {
        'href-template': _QUEUE + '/messages/{message_id}{?claim_id}',
        'href-vars': {'queue_name': _PARAM + 'queue_name',
                      'message_id': _PARAM + 'message_id',
                      'claim_id': _PARAM + 'claim_id'},
        'hints': {'allow': ['DELETE'], 'formats': {'application/json': {}}}},
    'rel/message': {
        'href-template': _QUEUE + '/messages/{message_id}{?state}',
        'href-vars': {'queue_name': _PARAM + 'queue_name',
                      'message_id': _PARAM + 'message_id',
                      'state': _PARAM + 'state'},
        'hints': {'allow': ['GET'], 'formats': {'application/json': {}}}},
    'rel/message_reject': {
        'href-template': _QUEUE + '/messages/{message_id}/reject{?claim_id}',
        'href-vars': {'queue_name': _PARAM + 'queue_name',
                      'message_id': _PARAM + 'message_id',
                      'claim_id': _PARAM + 'claim_id'},
        'hints': {'allow': ['POST'], 'formats': {'application/json': {}},
                  'accept-post': ['application/json']}},
    'rel/redrive': {
        'href-template': _QUEUE + '/redrive',
        'href-vars': {'queue_name': _PARAM + 'queue_name'},
        'hints': {'allow': ['POST', 'GET', 'DELETE'],
                  'formats': {'application/json': {}},
                  'accept-post': ['application/json']}},
    'rel/claim': {
        'href-template': _QUEUE + '/claims/{claim_id}{?delay}',
        'href-vars': {'queue_name': _PARAM + 'queue_name',
                      'claim_id': _PARAM + 'claim_id',
                      'delay': _PARAM + 'release_delay'},
        'hints': {'allow': ['GET', 'PATCH', 'DELETE'],
                  'formats': {'application/json': {}}}},
    'rel/post_claim': {
        'href-template': _QUEUE + '/claims{?limit,wait}',
        'href-vars': {'queue_name': _PARAM + 'queue_name',
                      'limit': _PARAM + 'claim_limit',
                      'wait': _PARAM + 'claim_wait'},
        'hints': {'allow': ['POST'], 'formats': {'application/json': {}},
                  'accept-post': ['application/json']}},
    'rel/subscriptions_get': {
        'href-template': _QUEUE + '/subscriptions{?marker,limit}',
        'href-vars': {'queue_name': _PARAM + 'queue_name',
                      'marker': _PARAM + 'marker',
                      'limit': _PARAM + 'subscription_limit'},
        'hints': {'allow': ['GET'], 'formats': {'application/json': {}}}},
    'rel/subscriptions_post': {
        'href-template': _QUEUE + '/subscriptions',
        'href-vars': {'queue_name': _PARAM + 'queue_name'},
        'hints': {'allow': ['POST'], 'formats': {'application/json': {}},
                  'accept-post': ['application/json']}},
    'rel/subscription': {
        'href-template': _QUEUE + '/subscriptions/{subscription_id}',
        'href-vars': {'queue_name': _PARAM + 'queue_name',
                      'subscription_id': _PARAM + 'subscription_id'},
        'hints': {'allow': ['GET', 'PATCH', 'DELETE'],
                  'formats': {'application/json': {}}}},
    'rel/subscription_confirm': {
        'href-template': _QUEUE + '/subscriptions/{subscription_id}/confirm',
        'href-vars': {'queue_name': _PARAM + 'queue_name',
                      'subscription_id': _PARAM + 'subscription_id'},
        'hints': {'allow': ['PUT'], 'formats': {'application/json': {}}}},
    'rel/topics': {'href-template': '/v2/topics{?marker,limit,detailed}',
                   'href-vars': {'marker': _PARAM + 'marker',
                                 'limit': _PARAM + 'topic_limit',
                                 'detailed': _PARAM + 'detailed'},
                   'hints': {'allow': ['GET'],
                             'formats': {'application/json': {}}}},
    'rel/topic': {'href-template': '/v2/topics/{topic_name}',
                  'href-vars': {'topic_name': _PARAM + 'topic_name'},
                  'hints': {'allow': ['PUT', 'GET', 'PATCH', 'DELETE'],
                            'formats': {'application/json': {}}}},
    'rel/ping': {'href-template': '/v2/ping',
                 'hints': {'allow': ['GET', 'HEAD'], 'formats': {}}},
}


class Versions:
    """GET /: the API versions this server speaks."""

    project_scoped = False

    def on_get(self, req, resp):
        resp.status = falcon.HTTP_300
        resp.media = {'versions': [{
            'id': '2', 'status': 'CURRENT', 'updated': UPDATED,
            'media-types': MEDIA_TYPES,
            'links': [{'href': '/v2/', 'rel': 'self'}]}]}


class Home:
    """GET /v2 and /v2/: the JSON home document of the v2 API."""

    project_scoped = False

    def on_get(self, req, resp):
        resp.content_type = 'application/json-home'
        resp.text = json.dumps({'resources': RESOURCES})
        resp.cache_control = ['max-age=86400']
