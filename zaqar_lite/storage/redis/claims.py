"""Claims of the Redis store."""

import uuid

from zaqar_lite import errors
from zaqar_lite.storage import base
from zaqar_lite.storage.redis.messages import to_message


class ClaimController(base.Claim):

    @property
    def run(self):
        return self.driver.scripts.run

    def get(self, queue, claim_id, project=None):
        now, result = self.run('claim_get', project, queue, str(claim_id))
        if result is None:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        info, items = result
        ttl, grace, created = info.decode().split()
        claim = {'id': str(claim_id), 'ttl': int(ttl), 'grace': int(grace),
                 'age': int(now - float(created))}
        return claim, sorted((to_message(item, now) for item in items),
                             key=lambda message: message['id'])

    def create(self, queue, metadata, project=None,
               limit=base.DEFAULT_MESSAGES_PER_CLAIM):
        claim_id = str(uuid.uuid4())
        now, items = self.run('claim_create', project, queue, claim_id,
                              int(metadata['ttl']),
                              int(metadata.get('grace', 0)), limit)
        if not items:
            return None, []
        return claim_id, [to_message(item, now) for item in items]

    def update(self, queue, claim_id, metadata, project=None):
        grace = metadata.get('grace')
        _, renewed = self.run('claim_update', project, queue, str(claim_id),
                              int(metadata['ttl']),
                              '' if grace is None else int(grace))
        if not renewed:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)

    def delete(self, queue, claim_id, project=None, delay=None):
        self.run('claim_delete', project, queue, str(claim_id),
                 '' if delay is None else int(delay))
