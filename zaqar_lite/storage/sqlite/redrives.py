"""Redrive jobs of the SQLite store: rows of ``redrive_jobs``."""

import json

from zaqar_lite.storage import base
from zaqar_lite.storage.sqlite.queues import scope


class RedriveController(base.Redrives):

    @property
    def db(self):
        return self.driver.db

    def _read(self, queue, project):
        row = self.db.connection().execute(
            'SELECT job, version FROM redrive_jobs WHERE project = ? AND '
            'queue = ?', (scope(project), queue)).fetchone()
        if row is None:
            return None
        return {**json.loads(row['job']), 'version': row['version']}

    def _write(self, queue, project, job, expected):
        text = json.dumps({k: v for k, v in job.items() if k != 'version'})
        with self.db.write() as conn:
            if expected is None:
                return conn.execute(
                    'INSERT OR IGNORE INTO redrive_jobs (project, queue, job, '
                    'version, state) VALUES (?, ?, ?, ?, ?)',
                    (scope(project), queue, text, job['version'],
                     job['state'])).rowcount == 1
            return conn.execute(
                'UPDATE redrive_jobs SET job = ?, version = ?, state = ? '
                'WHERE project = ? AND queue = ? AND version = ?',
                (text, job['version'], job['state'], scope(project), queue,
                 expected)).rowcount == 1

    def _running(self):
        rows = self.db.connection().execute(
            "SELECT project, queue FROM redrive_jobs INDEXED BY "
            "redrive_jobs_by_state WHERE state = 'running'").fetchall()
        return [(row['project'] or None, row['queue']) for row in rows]
