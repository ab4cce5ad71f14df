"""Redrive jobs of the MongoDB store: documents of ``redrive_jobs``.

A write is an insert (the unique ``_id`` lets one of concurrent first
writers win) or an update filtered on the version read; on FerretDB v1,
whose updates are not isolated, two racing updates can both match.
"""

import json

from zaqar_lite.storage import base
from zaqar_lite.storage.mongodb.schema import in_queue, queue_id


class RedriveController(base.Redrives):

    @property
    def db(self):
        return self.driver.db

    def _read(self, queue, project):
        doc = self.db.redrive_jobs.find_one({'_id': queue_id(queue, project)})
        if doc is None:
            return None
        return {**json.loads(doc['job']), 'version': doc['version']}

    def _write(self, queue, project, job, expected):
        text = json.dumps({k: v for k, v in job.items() if k != 'version'})
        fields = {'job': text, 'version': job['version'],
                  'state': job['state']}
        if expected is None:
            return self.db.redrive_jobs.insert_one(
                {'_id': queue_id(queue, project), **in_queue(queue, project),
                 **fields})
        return bool(self.db.redrive_jobs.update_one(
            {'_id': queue_id(queue, project), 'version': expected},
            {'$set': fields}))

    def _running(self):
        docs = self.db.redrive_jobs.find({'state': 'running'},
                                         projection={'project': 1,
                                                     'queue': 1})
        return [(doc['project'] or None, doc['queue']) for doc in docs]
