"""Redrive jobs of the Redis store: one hash per queue (``redrive`` in
``lua/common.lua``) and a set of the queues whose job is running."""

import json

from zaqar_lite.storage import base


class RedriveController(base.Redrives):

    @property
    def run(self):
        return self.driver.scripts.run

    def _read(self, queue, project):
        _, found = self.run('redrive_job', project, queue, 'read')
        if not found:
            return None
        job, version = found
        return {**json.loads(job), 'version': int(version)}

    def _write(self, queue, project, job, expected):
        text = json.dumps({k: v for k, v in job.items() if k != 'version'})
        _, written = self.run('redrive_job', project, queue, 'write', text,
                              job['state'], job['version'],
                              '' if expected is None else str(expected))
        return bool(written)

    def _running(self):
        _, names = self.run('redrive_job', '', '', 'running')
        found = []
        for name in names:
            project, _, queue = name.decode().rpartition('/')
            found.append((project or None, queue))
        return sorted(found, key=lambda pair: (pair[0] or '', pair[1]))
