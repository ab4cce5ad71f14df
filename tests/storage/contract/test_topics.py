"""Topic controller contract: topics are a namespace apart from queues."""

import pytest

from zaqar_lite import errors
from zaqar_lite.storage.topics import split_scope, topic_scope
from zaqar_lite.storage.utils import page


def names(listing):
    return [item['name'] for item in page(listing)[0]]


def test_topics_and_queues_of_one_name_are_apart(queues, topics, messages):
    assert topics.create('t', metadata={'kind': 'topic'}, project='p')
    assert not queues.exists('t', project='p')
    queues.create('t', project='p')
    assert names(topics.list(project='p')) == ['t']
    assert names(queues.list(project='p')) == ['t']
    messages.post('t', [{'body': 1, 'ttl': 60}], 'c',
                  project=topic_scope('p'))
    assert topics.stats('t', project='p')['messages']['total'] == 1
    assert queues.stats('t', project='p')['messages']['total'] == 0
    assert topics.get('t', project='p') == {'kind': 'topic'}


def test_topic_lifecycle_and_errors(topics):
    with pytest.raises(errors.TopicDoesNotExist):
        topics.get('t', project='p')
    with pytest.raises(errors.TopicDoesNotExist):
        topics.stats('t', project='p')
    topics.create('t', project='p')
    topics.set_metadata('t', {'a': 1}, project='p')
    assert topics.get('t', project='p') == {'a': 1}
    assert topics.exists('t', project='p')
    assert not topics.exists('t', project='other')
    topics.delete('t', project='p')
    assert not topics.exists('t', project='p')


def test_scope_round_trip():
    assert split_scope(topic_scope('p')) == ('topic', 'p')
    assert split_scope('p') == ('queue', 'p')
    assert split_scope(topic_scope(None)) == ('topic', None)
