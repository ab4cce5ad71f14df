"""Redrive contract: the job store and the redriver over every driver."""

import types

import pytest

from tests.conftest import wait_for
from zaqar_lite import errors, redrive
from zaqar_lite.bootstrap import Pipelines
from zaqar_lite.storage.pipeline import Pipeline
from zaqar_lite.storage.utils import page

LEASE = {'ttl': 60, 'grace': 60}
LIMITS = types.SimpleNamespace(default_dedup_window=300,
                               default_message_ttl=3600)


@pytest.fixture
def redrives(driver):
    return driver.redrive_controller


@pytest.fixture
def pipelines(driver):
    return Pipelines(*(Pipeline([], controller) for controller in (
        driver.queue_controller, driver.message_controller,
        driver.claim_controller, driver.subscription_controller,
        driver.topic_controller)))


def new_job(to=None, rate=100, limit=None, remaining=0):
    import time
    return redrive.new_job(to, rate, limit, remaining, time.time())


def dead_letter(queues, messages, claims, source, bodies, project='p'):
    """Post ``bodies`` to ``source`` and reject each into ``dlq``."""
    queues.create(source, metadata={'_dead_letter_queue': 'dlq'},
                  project=project)
    ids = messages.post(source, [{'body': b, 'ttl': 600} for b in bodies],
                        'c', project=project)
    claim_id, _ = claims.create(source, LEASE, project=project,
                                limit=len(bodies))
    for mid in ids:
        messages.reject(source, mid, project=project, claim=claim_id)
    return ids


def listed(messages, queue, project='p'):
    return page(messages.list(queue, project=project, echo=True, limit=20,
                              include_claimed=True, include_delayed=True))[0]


def finish(redriver, redrives, queue='dlq', project='p'):
    """Run passes until the job is no longer running; the job."""
    def ended():
        redriver.run_once()
        job = redrives.get(queue, project=project)
        return job if job['state'] != redrive.RUNNING else None
    return wait_for(ended, what='the redrive job to end')


# -- the job store ----------------------------------------------------------

def test_a_job_is_stored_and_read_back(queues, redrives):
    queues.create('dlq', project='p')
    stored = redrives.start('dlq', new_job(to='orders', rate=5, limit=7),
                            project='p')
    job = redrives.get('dlq', project='p')
    assert job == stored
    assert (job['to'], job['rate'], job['limit'], job['state']) == \
        ('orders', 5, 7, 'running')
    assert redrives.running() == [('p', 'dlq')]


def test_one_running_job_per_queue_and_project(queues, redrives):
    queues.create('dlq', project='p')
    queues.create('dlq', project='other')
    redrives.start('dlq', new_job(), project='p')
    with pytest.raises(errors.RedriveConflict):
        redrives.start('dlq', new_job(), project='p')
    redrives.start('dlq', new_job(), project='other')  # another project's
    assert sorted(redrives.running()) == [('other', 'dlq'), ('p', 'dlq')]


def test_an_ended_job_is_replaced_by_a_new_one(queues, redrives):
    queues.create('dlq', project='p')
    job = redrives.start('dlq', new_job(rate=1), project='p')
    assert redrives.update('dlq', {**job, 'state': 'done'}, project='p')
    assert redrives.running() == []
    again = redrives.start('dlq', new_job(rate=2), project='p')
    assert again['rate'] == 2 and again['version'] > job['version']


def test_updates_from_a_stale_version_are_refused(queues, redrives):
    queues.create('dlq', project='p')
    job = redrives.start('dlq', new_job(), project='p')
    stale = dict(job)
    assert redrives.update('dlq', {**job, 'moved': 3}, project='p') is True
    assert redrives.update('dlq', {**stale, 'moved': 1}, project='p') is False
    assert redrives.get('dlq', project='p')['moved'] == 3


def test_jobs_are_isolated_by_project(queues, redrives):
    queues.create('dlq', project='p')
    redrives.start('dlq', new_job(), project='p')
    queues.create('dlq', project='other')
    with pytest.raises(errors.RedriveDoesNotExist):
        redrives.get('dlq', project='other')
    redrive.cancel(redrives, 'dlq', 'other', 0.0)
    assert redrives.get('dlq', project='p')['state'] == 'running'


def test_deleting_the_queue_forgets_its_job(queues, redrives):
    queues.create('dlq', project='p')
    redrives.start('dlq', new_job(), project='p')
    queues.delete('dlq', project='p')
    assert redrives.running() == []
    queues.create('dlq', project='p')
    with pytest.raises(errors.RedriveDoesNotExist):
        redrives.get('dlq', project='p')


# -- the redriver -----------------------------------------------------------

def test_redrive_moves_messages_back_to_their_source_queues(
        queues, messages, claims, redrives, pipelines):
    orders = dead_letter(queues, messages, claims, 'orders', ['o1', 'o2'])
    mails = dead_letter(queues, messages, claims, 'mails', ['m1'])
    redrives.start('dlq', new_job(remaining=3), project='p')
    job = finish(redrive.Redriver(pipelines, redrives, LIMITS), redrives)
    assert (job['state'], job['moved'], job['remaining']) == ('done', 3, 0)
    assert job['finished'] is not None and job['last_error'] is None
    assert listed(messages, 'dlq') == []
    back = listed(messages, 'orders')
    assert sorted(m['body'] for m in back) == ['o1', 'o2']
    assert [m['body'] for m in listed(messages, 'mails')] == ['m1']
    for message in back:  # fresh posts: new ids, no claims, no provenance
        assert message['claim_count'] == 0 and message['dead_letter'] is None
        assert message['id'] not in orders + mails
        assert message['ttl'] == LIMITS.default_message_ttl


def test_redriven_messages_keep_their_priority(queues, messages, claims,
                                               redrives, pipelines):
    queues.create('orders', metadata={'_dead_letter_queue': 'dlq'},
                  project='p')
    messages.post('orders', [{'body': 'urgent', 'ttl': 600, 'priority': 9},
                             {'body': 'plain', 'ttl': 600}], 'c', project='p')
    claim_id, held = claims.create('orders', LEASE, project='p', limit=2)
    for message in held:
        messages.reject('orders', message['id'], project='p', claim=claim_id)
    redrives.start('dlq', new_job(remaining=2), project='p')
    finish(redrive.Redriver(pipelines, redrives, LIMITS), redrives)
    assert sorted((m['body'], m['priority'])
                  for m in listed(messages, 'orders')) == \
        [('plain', 4), ('urgent', 9)]


def test_redrive_to_another_queue(queues, messages, claims, redrives,
                                  pipelines):
    dead_letter(queues, messages, claims, 'orders', ['a', 'b'])
    redrives.start('dlq', new_job(to='retry'), project='p')
    job = finish(redrive.Redriver(pipelines, redrives, LIMITS), redrives)
    assert (job['state'], job['moved']) == ('done', 2)
    assert sorted(m['body'] for m in listed(messages, 'retry')) == ['a', 'b']
    assert listed(messages, 'orders') == []


def test_redrive_stops_at_its_limit(queues, messages, claims, redrives,
                                    pipelines):
    dead_letter(queues, messages, claims, 'orders', list('abcde'))
    redrives.start('dlq', new_job(limit=2), project='p')
    job = finish(redrive.Redriver(pipelines, redrives, LIMITS), redrives)
    assert (job['state'], job['moved'], job['remaining']) == ('done', 2, 0)
    assert len(listed(messages, 'orders')) == 2
    assert len(listed(messages, 'dlq')) == 3


def test_no_pass_moves_more_than_the_rate(queues, messages, claims,
                                          redrives, pipelines):
    dead_letter(queues, messages, claims, 'orders', list('abcdefg'))
    redrives.start('dlq', new_job(rate=2), project='p')
    redriver = redrive.Redriver(pipelines, redrives, LIMITS)
    passes = []

    def ended():
        passes.append(redriver.run_once())
        return redrives.get('dlq', project='p')['state'] != 'running'

    wait_for(ended, what='the redrive job to end')
    assert sum(passes) == 7 and max(passes) <= 2


def test_a_crash_between_post_and_delete_loses_and_duplicates_nothing(
        queues, messages, claims, redrives, pipelines):
    [mid] = dead_letter(queues, messages, claims, 'orders', ['once'])
    redrives.start('dlq', new_job(), project='p')

    class Crash(Exception):
        pass

    class CrashingRedriver(redrive.Redriver):
        def _remove(self, queue, project, message, claim_id):
            raise Crash  # the process dies after the post

    crashing = CrashingRedriver(pipelines, redrives, LIMITS, lease=1)

    def crashed():
        try:
            crashing.run_once()
        except Crash:
            return True
        return False

    wait_for(crashed, what='a pass to post the message')
    # posted, not yet deleted: the message is in both queues
    assert [m['body'] for m in listed(messages, 'orders')] == ['once']
    assert [m['id'] for m in listed(messages, 'dlq')] == [mid]
    # once the dead pass's claim ends, a new pass finishes the move
    job = finish(redrive.Redriver(pipelines, redrives, LIMITS, lease=1),
                 redrives)
    assert job['state'] == 'done'
    assert [m['body'] for m in listed(messages, 'orders')] == ['once']
    assert listed(messages, 'dlq') == []


def test_a_message_without_a_source_fails_the_job(queues, messages,
                                                  redrives, pipelines):
    queues.create('dlq', project='p')
    [mid] = messages.post('dlq', [{'body': 'stray', 'ttl': 600}], 'c',
                          project='p')
    redrives.start('dlq', new_job(), project='p')
    job = finish(redrive.Redriver(pipelines, redrives, LIMITS), redrives)
    assert job['state'] == 'failed' and mid in job['last_error']
    assert job['moved'] == 0
    [left] = listed(messages, 'dlq')
    assert left['id'] == mid and left['claim_id'] is None


def test_a_cancelled_job_moves_nothing(queues, messages, claims, redrives,
                                       pipelines):
    dead_letter(queues, messages, claims, 'orders', ['a'])
    redrives.start('dlq', new_job(), project='p')
    redrive.cancel(redrives, 'dlq', 'p', 0.0)
    assert redrive.Redriver(pipelines, redrives, LIMITS).run_once() == 0
    job = redrives.get('dlq', project='p')
    assert job['state'] == 'cancelled' and job['moved'] == 0
    assert len(listed(messages, 'dlq')) == 1


def test_redrive_stays_in_its_project(queues, messages, claims, redrives,
                                      pipelines):
    dead_letter(queues, messages, claims, 'orders', ['mine'])
    dead_letter(queues, messages, claims, 'orders', ['theirs'],
                project='other')
    redrives.start('dlq', new_job(), project='p')
    finish(redrive.Redriver(pipelines, redrives, LIMITS), redrives)
    assert [m['body'] for m in listed(messages, 'orders')] == ['mine']
    assert listed(messages, 'orders', project='other') == []
    assert [m['body'] for m in listed(messages, 'dlq', project='other')] == \
        ['theirs']
