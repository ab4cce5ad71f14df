"""The OpenAPI 3 document of the API, from ``openapi.yaml``.

The YAML describes the queue paths once; the topic paths (the same
resources under ``/v2/topics``, without claims, share, reject and
redrive) are derived from them here, and the admin paths (``x-admin``)
are kept only in admin mode.
"""

import copy
import functools
import importlib.resources

import yaml

QUEUES = '/v2/queues/{queue_name}'
TOPICS = '/v2/topics/{queue_name}'
NOT_FOR_TOPICS = ('/claims', '/share', '/reject', '/redrive')


@functools.lru_cache(maxsize=1)
def _source() -> dict:
    text = (importlib.resources.files(__package__) / 'openapi.yaml'
            ).read_text()
    return yaml.safe_load(text)


def document(admin_mode=False) -> dict:
    """The OpenAPI document of what this server serves."""
    doc = copy.deepcopy(_source())
    paths = {}
    for path, item in doc['paths'].items():
        if item.pop('x-admin', False) and not admin_mode:
            continue
        paths[path] = item
        if path == '/v2/queues':
            paths['/v2/topics'] = _as_topic(item)
        elif path.startswith(QUEUES) and not any(
                part in path for part in NOT_FOR_TOPICS):
            paths[TOPICS + path[len(QUEUES):]] = _as_topic(item)
    doc['paths'] = paths
    return doc


def _as_topic(item):
    topic = copy.deepcopy(item)
    for operation in topic.values():
        if isinstance(operation, dict) and 'summary' in operation:
            operation['summary'] += ' (of a topic)'
            operation['tags'] = ['topics']
    text = yaml.safe_dump(topic)
    return yaml.safe_load(text.replace("#/components/parameters/QueueName",
                                       "#/components/parameters/TopicName"))


class Resource:
    """GET /v2/openapi.json: the document, built once."""

    project_scoped = False

    def __init__(self, admin_mode=False):
        self.document = document(admin_mode)

    def on_get(self, req, resp):
        resp.media = self.document
