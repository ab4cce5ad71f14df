"""Project isolation as a property, on every driver (hypothesis).

Projects share nothing, so what a project observes cannot depend on what
other projects do: for any random interleaving of operations by three
projects, each project's answers equal the answers it gets when it runs
its own operations alone on an empty store.  Any leak (a queue, message,
claim or subscription of another project seen or changed) breaks the
equality; bodies and subscriber URIs also name their project, so a leaked
item is reported plainly.
"""

import tempfile

import hypothesis
import pytest
from hypothesis import strategies as st

from tests.storage.contract.conftest import FACTORIES, build_driver
from zaqar_lite import errors
from zaqar_lite.storage.utils import page

PROJECTS = ('alpha', 'beta', 'gamma')
QUEUES = ('q1', 'q2')
LEASE = {'ttl': 600, 'grace': 60}
EXAMPLES = {'sqlite': 25, 'redis': 25, 'pooling': 15, 'mongodb': 5}

operation = st.tuples(
    st.sampled_from(PROJECTS), st.sampled_from(QUEUES),
    st.sampled_from(['create', 'post', 'list', 'claim', 'settle', 'stats',
                     'queues', 'metadata', 'subscribe', 'subscriptions',
                     'delete']),
    st.integers(min_value=1, max_value=3))


def observe(driver, project, queue, action, n, held, counter):
    """Do one operation; return what the project observes (no ids)."""
    queues, messages = driver.queue_controller, driver.message_controller
    claims, subscriptions = (driver.claim_controller,
                             driver.subscription_controller)
    if action == 'create':
        return queues.create(queue, metadata={'owner': project},
                             project=project)
    if action == 'post':
        if not queues.exists(queue, project=project):
            queues.create(queue, project=project)
        bodies = [f'{project}-{queue}-{counter + i}' for i in range(n)]
        messages.post(queue, [{'body': b, 'ttl': 600} for b in bodies], 'c',
                      project=project)
        return bodies
    if action == 'list':
        items, _ = page(messages.list(queue, project=project, echo=True,
                                      include_claimed=True, limit=20))
        return [m['body'] for m in items]
    if action == 'claim':
        claim_id, taken = claims.create(queue, LEASE, project=project,
                                        limit=n)
        if claim_id:
            held.setdefault((project, queue), []).append(
                (claim_id, [m['id'] for m in taken]))
        return [m['body'] for m in taken]
    if action == 'settle':  # delete one held message, release the rest
        if not held.get((project, queue)):
            return None
        claim_id, ids = held[(project, queue)].pop(0)
        messages.delete(queue, ids[0], project=project, claim=claim_id)
        claims.delete(queue, claim_id, project=project)
        return len(ids)
    if action == 'stats':
        try:
            counts = queues.stats(queue, project=project)['messages']
        except errors.QueueDoesNotExist:
            return 'missing'
        return {key: counts[key] for key in ('free', 'claimed', 'total')}
    if action == 'queues':
        items, _ = page(queues.list(project=project, detailed=True))
        return [(q['name'], q['metadata']) for q in items]
    if action == 'metadata':
        try:
            queues.set_metadata(queue, {'owner': project, 'n': n},
                                project=project)
        except errors.QueueDoesNotExist:
            return 'missing'
        return queues.get(queue, project=project)
    if action == 'subscribe':
        if not queues.exists(queue, project=project):
            queues.create(queue, project=project)
        return subscriptions.create(
            queue, f'mailto:{project}-{n}@example.com', 600, {},
            project=project) is not None
    if action == 'subscriptions':
        items, _ = page(subscriptions.list(queue, project=project))
        return sorted(s['subscriber'] for s in items)
    if action == 'delete':
        queues.delete(queue, project=project)
        held.pop((project, queue), None)
        return None
    raise AssertionError(action)


def run(driver, operations):
    """Each operation's observation, in order."""
    held, seen = {}, []
    for index, (project, queue, action, n) in enumerate(operations):
        seen.append(observe(driver, project, queue, action, n, held,
                            index * 10))
    return seen


@pytest.mark.parametrize('name', sorted(FACTORIES))
def test_no_project_sees_or_changes_another(name, request):
    def fresh_driver():
        return build_driver(*FACTORIES[name](tempfile.mkdtemp(), request))

    @hypothesis.settings(max_examples=EXAMPLES[name], deadline=None,
                         database=None, suppress_health_check=list(
                             hypothesis.HealthCheck))
    @hypothesis.given(st.lists(operation, min_size=1, max_size=25))
    def check(operations):
        shared = fresh_driver()
        together = run(shared, operations)
        shared.close()
        for project in PROJECTS:
            mine = [i for i, op in enumerate(operations) if op[0] == project]
            alone_driver = fresh_driver()
            # The same bodies: each operation keeps its index in the run.
            held, alone = {}, []
            for i in mine:
                p, queue, action, n = operations[i]
                alone.append(observe(alone_driver, p, queue, action, n,
                                     held, i * 10))
            alone_driver.close()
            observed = [together[i] for i in mine]
            leaked = [o for o in map(str, observed)
                      if any(other in o for other in PROJECTS
                             if other != project)]
            assert not leaked, f'{project} saw another project: {leaked}'
            assert observed == alone, f'{project} was affected by others'

    check()
