"""create_app: the Falcon application and its route table.

The app is handed its storage (pipelines and data driver), so the server,
the tests and the benchmarks all build the very same application.
"""

import falcon

from zaqar_lite.conf.snapshot import Snapshot
from zaqar_lite.notification.notifier import Notifier
from zaqar_lite.notification.tasks.base import load_tasks
from zaqar_lite.transport import openapi
from zaqar_lite.transport.longpoll import ClaimWaiter, waiting_claims_allowed
from zaqar_lite.transport.validation import Validator
from zaqar_lite.transport.wsgi import (auth, claims, errors, health, home,
                                       hooks, messages, pools, queues,
                                       redrive, share, subscriptions)

QUEUE = '/v2/queues/{queue_name}'
TOPIC = '/v2/topics/{queue_name}'


def create_app(conf, pipelines, data_driver, notifier=None,
               tasks=None, control_driver=None) -> falcon.App:
    """The WSGI application serving the Zaqar v2 API.

    Args:
        conf: the loaded configuration (``transport`` and ``DEFAULT``).
        pipelines: the storage pipelines (``bootstrap.Pipelines``).
        data_driver: the data driver, for ping and health.
        notifier: queues subscription confirmations (built when None).
        tasks: ``{scheme: Task}`` that check subscribers (loaded when None).
        control_driver: the management store, for the admin API.
    """
    validator = Validator(Snapshot(conf.transport))
    credentials = auth.Credentials(conf.auth_strategy,
                                   conf.signed_url.secret_key)
    app = falcon.App(middleware=[hooks.RequestChecks(validator,
                                                     credentials)])
    app.req_options.strip_url_path_trailing_slash = True
    errors.register(app)
    notifier = notifier or Notifier(conf, data_driver)
    if tasks is None:
        tasks = load_tasks(conf, conf.transport.subscriber_types)
    for path, resource in routes(conf, validator, pipelines, data_driver,
                                 notifier, tasks, control_driver):
        app.add_route(path, resource)
    return app


def routes(conf, validator, pipelines, data_driver, notifier, tasks,
           control_driver=None):
    """``(path, resource)`` pairs of every endpoint."""
    limits = validator.limits  # one snapshot for the app
    args = (validator, pipelines, limits)
    waiter = ClaimWaiter(
        pipelines.claim, data_driver.doorbell,
        waiting_claims_allowed(conf['drivers:transport:wsgi']),
        conf.transport.claim_wait_recheck)
    table = [
        ('/', home.Versions()),
        ('/v2', home.Home()),
        ('/v2/ping', health.Ping(data_driver)),
        ('/v2/openapi.json', openapi.Resource(conf.admin_mode)),
        ('/v2/queues', queues.Collection(*args)),
        (QUEUE, queues.Item(*args)),
        (QUEUE + '/stats', queues.Stats(*args)),
        (QUEUE + '/purge', queues.Purge(*args)),
        (QUEUE + '/share', share.Share(conf.signed_url.secret_key)),
        (QUEUE + '/messages', messages.Collection(*args)),
        (QUEUE + '/messages/{message_id}', messages.Item(*args)),
        (QUEUE + '/messages/{message_id}/reject', messages.Reject(*args)),
        (QUEUE + '/redrive',
         redrive.Redrive(*args, data_driver.redrive_controller)),
        (QUEUE + '/claims', claims.Collection(*args, waiter=waiter)),
        (QUEUE + '/claims/{claim_id}', claims.Item(*args)),
        ('/v2/topics', queues.Collection(*args, kind='topic')),
        (TOPIC, queues.Item(*args, kind='topic')),
        (TOPIC + '/stats', queues.Stats(*args, kind='topic')),
        (TOPIC + '/purge', queues.Purge(*args, kind='topic')),
        (TOPIC + '/messages', messages.Collection(*args, kind='topic')),
        (TOPIC + '/messages/{message_id}', messages.Item(*args, kind='topic')),
    ]
    for prefix, kind in ((QUEUE, 'queue'), (TOPIC, 'topic')):
        sub_args = (*args, notifier, tasks, kind)
        table += [
            (prefix + '/subscriptions', subscriptions.Collection(*sub_args)),
            (prefix + '/subscriptions/{subscription_id}',
             subscriptions.Item(*sub_args)),
            (prefix + '/subscriptions/{subscription_id}/confirm',
             subscriptions.Confirm(*sub_args)),
        ]
    if conf.admin_mode:
        table.append(('/v2/health', health.Health(data_driver, waiter)))
    if conf.admin_mode and control_driver is not None:
        admin = (control_driver, limits)
        table += [('/v2/pools', pools.Pools(*admin)),
                  ('/v2/pools/{pool_name}', pools.Pool(*admin)),
                  ('/v2/flavors', pools.Flavors(*admin)),
                  ('/v2/flavors/{flavor_name}', pools.Flavor(*admin))]
    return table
