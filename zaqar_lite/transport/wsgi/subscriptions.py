"""Subscription resources of queues and topics.

``/v2/{queues|topics}/{name}/subscriptions``, ``.../{id}`` and
``.../{id}/confirm``.  Creating a subscription creates its queue (or topic)
when missing, as Zaqar does; the subscriber is checked by its scheme's
notification task (a webhook to a private address is refused here, with
the reason).  A ``secret`` in the options signs deliveries and is never
shown back.
"""

import falcon

from zaqar_lite import errors
from zaqar_lite.storage.utils import page
from zaqar_lite.transport.wsgi import utils
from zaqar_lite.transport.wsgi.queues import Resource

MAX_BODY = 64 * 1024  # bytes of a subscription document
HIDDEN_OPTIONS = ('secret',)


def present(subscription) -> dict:
    """A subscription as the API shows it: without secrets."""
    options = {key: value for key, value in subscription['options'].items()
               if key not in HIDDEN_OPTIONS}
    return {**subscription, 'options': options}


class SubscriptionResource(Resource):
    """What subscription resources are built with."""

    def __init__(self, validator, pipelines, limits, notifier, tasks,
                 kind='queue'):
        super().__init__(validator, pipelines, limits, kind)
        self.subscriptions = pipelines.subscription
        self.notifier = notifier
        self.tasks = tasks

    def read_document(self, req):
        raw, length = utils.read_raw(req, MAX_BODY)
        if length > MAX_BODY:
            raise errors.ValidationError(
                f'The subscription document is too large. Max size: '
                f'{MAX_BODY}')
        return utils.parse_json(raw) if raw.strip() else {}

    def check_subscriber(self, subscriber, options):
        scheme = subscriber.split(':', 1)[0]
        task = self.tasks.get(scheme)
        if task is None:
            raise errors.ValidationError(
                f'No notification task serves {scheme} subscribers.')
        task.check(subscriber, options or {})


class Collection(SubscriptionResource):
    """GET, POST .../subscriptions."""

    def on_get(self, req, resp, project_id, client_id, queue_name):
        limit = utils.int_param(req, 'limit')
        self.validator.subscription_listing(limit)
        items, marker = page(self.subscriptions.list(
            queue_name, project=self.scope(project_id),
            marker=req.get_param('marker'), limit=limit or 10))
        body = {'subscriptions': [present(item) for item in items],
                'links': []}
        if items:
            query = {**req.params, 'marker': marker}
            body['links'] = [{'rel': 'next',
                              'href': req.path + falcon.to_query_str(query)}]
        resp.media = body

    def on_post(self, req, resp, project_id, client_id, queue_name):
        document = self.read_document(req)
        self.validator.subscription_posting(document)
        subscriber = document['subscriber']
        options = document.get('options') or {}
        ttl = document.get('ttl', self.limits.default_subscription_ttl)
        self.check_subscriber(subscriber, options)
        scope = self.scope(project_id)
        if not self.queues.exists(queue_name, project=project_id):
            self.queues.create(queue_name, project=project_id)
        created = self.subscriptions.create(queue_name, subscriber, ttl,
                                            options, project=scope)
        if created is None:
            existing = self.subscriptions.get_with_subscriber(
                queue_name, subscriber, project=scope)
            if existing['confirmed']:  # an unconfirmed one is asked again
                raise errors.SubscriptionAlreadyExists()
            subscription = existing
        else:
            subscription = self.subscriptions.get(queue_name, created,
                                                  project=scope)
        self.notifier.request_confirmation(queue_name, scope, subscription)
        resp.status = falcon.HTTP_201
        resp.location = req.path
        resp.media = {'subscription_id': subscription['id']}


class Item(SubscriptionResource):
    """GET, PATCH, DELETE .../subscriptions/{id}."""

    def on_get(self, req, resp, project_id, client_id, queue_name,
               subscription_id):
        resp.media = present(self.subscriptions.get(
            queue_name, subscription_id, project=self.scope(project_id)))

    def on_patch(self, req, resp, project_id, client_id, queue_name,
                 subscription_id):
        document = self.read_document(req)
        self.validator.subscription_patching(document)
        changes = {key: document[key] for key in ('subscriber', 'ttl',
                                                  'options')
                   if key in document}
        scope = self.scope(project_id)
        if 'subscriber' in changes or 'options' in changes:
            current = self.subscriptions.get(queue_name, subscription_id,
                                             project=scope)
            self.check_subscriber(
                changes.get('subscriber', current['subscriber']),
                changes.get('options', current['options']))
        self.subscriptions.update(queue_name, subscription_id, project=scope,
                                  **changes)
        resp.status = falcon.HTTP_204
        resp.location = req.path

    def on_delete(self, req, resp, project_id, client_id, queue_name,
                  subscription_id):
        self.subscriptions.delete(queue_name, subscription_id,
                                  project=self.scope(project_id))
        resp.status = falcon.HTTP_204


class Confirm(SubscriptionResource):
    """PUT .../subscriptions/{id}/confirm with ``{"confirmed": bool}``."""

    def on_put(self, req, resp, project_id, client_id, queue_name,
               subscription_id):
        document = self.read_document(req)
        self.validator.subscription_confirming(document)
        scope = self.scope(project_id)
        confirmed = document['confirmed']
        self.subscriptions.confirm(queue_name, subscription_id, project=scope,
                                   confirmed=confirmed)
        if not confirmed:
            subscription = self.subscriptions.get(queue_name,
                                                  subscription_id,
                                                  project=scope)
            self.notifier.request_confirmation(queue_name, scope,
                                               subscription,
                                               unsubscribed=True)
        resp.status = falcon.HTTP_204
        resp.location = req.path
