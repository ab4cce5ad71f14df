"""Redrive resource: /v2/queues/{name}/redrive (start, progress, cancel).

The job runs in the housekeeper (``zaqar_lite/redrive.py``); this
resource only stores, reads and cancels it, in the queue's store.
"""

import time

import falcon

from zaqar_lite import redrive
from zaqar_lite.transport.wsgi import utils
from zaqar_lite.transport.wsgi.queues import Resource


class Redrive(Resource):
    """POST, GET, DELETE /v2/queues/{name}/redrive.

    Args:
        redrives: the data driver's ``redrive_controller``.
    """

    def __init__(self, validator, pipelines, limits, redrives):
        super().__init__(validator, pipelines, limits)
        self.redrives = redrives

    def on_post(self, req, resp, project_id, client_id, queue_name):
        raw, _ = utils.read_raw(req, self.limits.max_queue_metadata)
        settings = self.validator.redrive(
            utils.parse_json(raw) if raw.strip() else {}, queue_name)
        stats = self.queues.stats(queue_name, project=project_id)
        remaining = stats['messages']['total']
        if settings['limit'] is not None:
            remaining = min(remaining, settings['limit'])
        job = self.redrives.start(
            queue_name, redrive.new_job(now=time.time(), remaining=remaining,
                                        **settings), project=project_id)
        resp.status = falcon.HTTP_202
        resp.location = req.path
        resp.media = redrive.present(queue_name, job, self.prefix)

    def on_get(self, req, resp, project_id, client_id, queue_name):
        job = self.redrives.get(queue_name, project=project_id)
        resp.media = redrive.present(queue_name, job, self.prefix)

    def on_delete(self, req, resp, project_id, client_id, queue_name):
        redrive.cancel(self.redrives, queue_name, project_id, time.time())
        resp.status = falcon.HTTP_204

