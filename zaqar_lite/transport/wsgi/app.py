"""create_app: the Falcon application and its route table.

The app is handed its storage (pipelines and data driver), so the server,
the tests and the benchmarks all build the very same application.
"""

import falcon

from zaqar_lite.transport.validation import Validator
from zaqar_lite.transport.wsgi import (claims, errors, health, home, hooks,
                                       messages, queues)

QUEUE = '/v2/queues/{queue_name}'


def create_app(conf, pipelines, data_driver) -> falcon.App:
    """The WSGI application serving the Zaqar v2 API.

    Args:
        conf: the loaded configuration (``transport`` and ``DEFAULT``).
        pipelines: the storage pipelines (``bootstrap.Pipelines``).
        data_driver: the data driver, for ping and health.
    """
    validator = Validator(conf.transport)
    app = falcon.App(middleware=[hooks.RequestChecks(validator)])
    app.req_options.strip_url_path_trailing_slash = True
    errors.register(app)
    for path, resource in routes(conf, validator, pipelines, data_driver):
        app.add_route(path, resource)
    return app


def routes(conf, validator, pipelines, data_driver):
    """``(path, resource)`` pairs of every endpoint."""
    args = (validator, pipelines, conf.transport)
    table = [
        ('/', home.Versions()),
        ('/v2', home.Home()),
        ('/v2/ping', health.Ping(data_driver)),
        ('/v2/queues', queues.Collection(*args)),
        (QUEUE, queues.Item(*args)),
        (QUEUE + '/stats', queues.Stats(*args)),
        (QUEUE + '/purge', queues.Purge(*args)),
        (QUEUE + '/messages', messages.Collection(*args)),
        (QUEUE + '/messages/{message_id}', messages.Item(*args)),
        (QUEUE + '/claims', claims.Collection(*args)),
        (QUEUE + '/claims/{claim_id}', claims.Item(*args)),
    ]
    if conf.admin_mode:
        table.append(('/v2/health', health.Health(data_driver)))
    return table
