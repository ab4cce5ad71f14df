"""Queue controller contract."""

import pytest

from zaqar_lite import errors
from zaqar_lite.storage.utils import page


def names(listing):
    items, _ = page(listing)
    return [item['name'] for item in items]


def test_create_reports_whether_the_queue_is_new(queues):
    assert queues.create('q', project='p') is True
    assert queues.create('q', project='p') is False
    assert queues.exists('q', project='p')


def test_create_again_with_metadata_replaces_it(queues):
    queues.create('q', metadata={'a': 1}, project='p')
    queues.create('q', project='p')
    assert queues.get('q', project='p') == {'a': 1}
    queues.create('q', metadata={'b': 2}, project='p')
    assert queues.get('q', project='p') == {'b': 2}


def test_get_and_set_metadata(queues):
    queues.create('q', project='p')
    queues.set_metadata('q', {'_default_message_ttl': 120}, project='p')
    assert queues.get('q', project='p') == {'_default_message_ttl': 120}


def test_missing_queue_raises(queues):
    with pytest.raises(errors.QueueDoesNotExist):
        queues.get('nope', project='p')
    with pytest.raises(errors.QueueDoesNotExist):
        queues.set_metadata('nope', {}, project='p')
    with pytest.raises(errors.QueueDoesNotExist):
        queues.stats('nope', project='p')


def test_delete_is_idempotent_and_removes_messages(queues, messages):
    queues.create('q', project='p')
    messages.post('q', [{'body': 1, 'ttl': 60}], 'c', project='p')
    queues.delete('q', project='p')
    queues.delete('q', project='p')
    assert not queues.exists('q', project='p')
    queues.create('q', project='p')
    assert page(messages.list('q', project='p', echo=True))[0] == []


def test_list_pages_in_name_order_without_repeats(queues):
    for name in ['c', 'a', 'e', 'b', 'd']:
        queues.create(name, project='p')
    seen, marker = [], None
    while True:
        items, marker = page(queues.list(project='p', marker=marker, limit=1))
        if not items:
            break
        seen += [item['name'] for item in items]
    assert seen == ['a', 'b', 'c', 'd', 'e']


def test_list_detailed_includes_metadata(queues):
    queues.create('q', metadata={'k': 'v'}, project='p')
    items, _ = page(queues.list(project='p', detailed=True))
    assert items == [{'name': 'q', 'metadata': {'k': 'v'}}]
    items, _ = page(queues.list(project='p'))
    assert items == [{'name': 'q'}]


def test_list_filters_on_metadata_and_name(queues):
    queues.create('alpha', metadata={'team': 'red'}, project='p')
    queues.create('beta', metadata={'team': 'blue'}, project='p')
    queues.create('alphabet', project='p')
    assert names(queues.list(project='p', kfilter={'team': 'red'})) == \
        ['alpha']
    assert names(queues.list(project='p', name='alpha')) == \
        ['alpha', 'alphabet']


def test_dotted_names_are_kept_whole(queues):
    queues.create('rq-X', project='p')
    queues.create('rq-X.dot', project='p')
    assert names(queues.list(project='p')) == ['rq-X', 'rq-X.dot']


def test_projects_are_isolated(queues):
    queues.create('q', metadata={'owner': 'a'}, project='a')
    assert not queues.exists('q', project='b')
    assert names(queues.list(project='b')) == []
    assert names(queues.list(project=None)) == []
    queues.create('q', metadata={'owner': 'b'}, project='b')
    queues.delete('q', project='b')
    assert queues.get('q', project='a') == {'owner': 'a'}


def test_resource_count(queues):
    for i in range(3):
        queues.create(f'q{i}', project='p')
    assert queues.calculate_resource_count(project='p') == 3
    assert queues.calculate_resource_count(project='other') == 0


def test_stats_counts_each_state(queues, messages, claims):
    queues.create('q', project='p')
    messages.post('q', [{'body': i, 'ttl': 60} for i in range(4)]
                  + [{'body': 'later', 'ttl': 60, 'delay': 300}],
                  'c', project='p')
    claims.create('q', {'ttl': 60, 'grace': 60}, project='p', limit=1)
    stats = queues.stats('q', project='p')['messages']
    assert {k: stats[k] for k in ('free', 'claimed', 'delayed', 'total')} == \
        {'free': 3, 'claimed': 1, 'delayed': 1, 'total': 5}
    assert set(stats['oldest']) == {'id', 'age', 'created'}
    assert stats['newest']['id'] != stats['oldest']['id']


def test_stats_of_empty_queue_have_no_edges(queues):
    queues.create('q', project='p')
    stats = queues.stats('q', project='p')['messages']
    assert stats == {'free': 0, 'claimed': 0, 'delayed': 0, 'total': 0}


def counts(queues, name='q'):
    stats = queues.stats(name, project='p')['messages']
    return tuple(stats[k] for k in ('free', 'claimed', 'delayed', 'total'))


def test_stats_follow_every_change(driver, queues, messages, claims):
    from tests.conftest import wait_for

    queues.create('q', metadata={'_max_claim_count': 1,
                                 '_dead_letter_queue': 'dlq'}, project='p')
    ids = messages.post('q', [{'body': i, 'ttl': 60} for i in range(6)]
                        + [{'body': 'short', 'ttl': 1}], 'c', project='p')
    claim_id, held = claims.create('q', {'ttl': 60, 'grace': 60},
                                   project='p', limit=3)
    assert counts(queues) == (4, 3, 0, 7)
    messages.delete('q', held[0]['id'], project='p', claim=claim_id)
    assert counts(queues) == (4, 2, 0, 6)
    messages.pop('q', 1, project='p')
    assert counts(queues) == (3, 2, 0, 5)
    claims.delete('q', claim_id, project='p')
    assert counts(queues) == (5, 0, 0, 5)
    wait_for(lambda: counts(queues)[3] == 4, what='expiry')
    driver.gc()
    assert counts(queues) == (4, 0, 0, 4)
    # Claimed once already: the next claim moves them to the dead letters.
    last_claim, held = claims.create('q', {'ttl': 60, 'grace': 60},
                                     project='p', limit=10)
    assert counts(queues) == (0, 2, 0, 2)
    assert counts(queues, 'dlq') == (2, 0, 0, 2)
    messages.bulk_delete('q', ids, project='p', claim_ids=[last_claim])
    assert counts(queues) == (0, 0, 0, 0)


def test_metadata_filter_accepts_any_key(queues):
    queues.create('odd', metadata={'a"b\\c$.d': 'x'}, project='p')
    assert names(queues.list(project='p', kfilter={'a"b\\c$.d': 'x'})) == \
        ['odd']
    assert names(queues.list(project='p', kfilter={'a': 'x'})) == []
