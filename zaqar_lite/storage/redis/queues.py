"""Queues of the Redis store."""

import json

from zaqar_lite import errors
from zaqar_lite.storage import base, redelivery
from zaqar_lite.storage.redis.messages import metadata_token, to_message


BACKOFF_WIDTH = 7  # digits per delay in a stored schedule (common.lua)


def backoff_text(metadata) -> str:
    """The queue's redelivery schedule as the scripts keep it: fixed-width
    numbers, the delay past its end, then the delay after each claim
    count ('' for no policy)."""
    schedule = redelivery.schedule(metadata)
    if schedule is redelivery.NO_BACKOFF:
        return ''
    return ''.join(f'{delay:0{BACKOFF_WIDTH}d}'
                   for delay in (schedule.after, *schedule.delays))


class QueueController(base.Queue):

    @property
    def run(self):
        return self.driver.scripts.run

    def list(self, project=None, kfilter=None, marker=None,
             limit=base.DEFAULT_QUEUES_PER_PAGE, detailed=False, name=None):
        _, rows = self.run('queue_list', project, '', marker or '', limit,
                           name or '', json.dumps(kfilter or {}))
        queues = []
        for queue_name, metadata in rows:
            queue = {'name': queue_name.decode()}
            if detailed:
                queue['metadata'] = json.loads(metadata)
            queues.append(queue)
        yield iter(queues)
        yield queues[-1]['name'] if queues else marker

    def get(self, name, project=None):
        return self.get_with_token(name, project=project)[0]

    def get_with_token(self, name, project=None):
        """``(get(name), token)``: the token stands for this metadata in
        ``MessageController.post_if_unchanged``."""
        _, metadata = self.run('queue_get', project, name)
        if metadata is None:
            raise errors.QueueDoesNotExist(name, project)
        return json.loads(metadata), metadata_token(metadata)

    def create(self, name, metadata=None, project=None):
        if metadata is None:
            return bool(self.run('queue_create', project, name, '')[1])
        return bool(self.run('queue_create', project, name,
                             json.dumps(metadata),
                             backoff_text(metadata))[1])

    def exists(self, name, project=None):
        return self.run('queue_get', project, name)[1] is not None

    def set_metadata(self, name, metadata, project=None):
        _, updated = self.run('queue_set_metadata', project, name,
                              json.dumps(metadata),
                              backoff_text(metadata))
        if not updated:
            raise errors.QueueDoesNotExist(name, project)

    def delete(self, name, project=None):
        self.run('queue_delete', project, name)

    def stats(self, name, project=None):
        now, result = self.run('queue_stats', project, name)
        if result is None:
            raise errors.QueueDoesNotExist(name, project)
        total, claimed, delayed, oldest, newest = result
        stats = {'claimed': claimed, 'delayed': delayed,
                 'free': total - claimed - delayed, 'total': total}
        if total:
            for key, item in (('oldest', oldest), ('newest', newest)):
                message = to_message(item, now)
                stats[key] = {'id': message['id'], 'age': message['age'],
                              'created': message['created']}
        return {'messages': stats}
