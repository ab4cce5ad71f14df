"""Message priority over HTTP: validation, claims, pops and browsing."""

import pytest

from tests.transport.expected import api_error

PRIORITY_TEXT = ('The priority of a message must be an integer from 0 to 9 '
                 '(default 4).')


@pytest.mark.parametrize('priority', [True, False, -1, 10, 4.5, '9', None])
def test_a_bad_priority_is_refused_and_nothing_is_stored(
        client, headers, stats, post_messages, priority):
    post_messages('q', {'body': 'kept'})
    resp = client.simulate_post(
        '/v2/queues/q/messages', headers=headers,
        json={'messages': [{'body': 'fine'},
                           {'body': 'bad', 'priority': priority}]})
    assert resp.status_code == 400
    assert resp.json == api_error(PRIORITY_TEXT)
    assert stats('q')['total'] == 1


def test_claims_take_higher_priorities_first(post_messages, claim):
    ids = post_messages('q', {'body': 'low', 'priority': 0},
                        {'body': 'usual'}, {'body': 'urgent', 'priority': 9},
                        {'body': 'soon', 'priority': 6})
    order = []
    for _ in range(4):
        [message] = claim('q', limit=1).json['messages']
        order.append(message['id'])
    assert order == [ids[2], ids[3], ids[1], ids[0]]


def test_pop_takes_higher_priorities_first(client, headers, post_messages):
    ids = post_messages('q', {'body': 'usual'}, {'body': 'urgent',
                                                 'priority': 8})
    resp = client.simulate_delete('/v2/queues/q/messages', headers=headers,
                                  params={'pop': 1})
    assert [m['id'] for m in resp.json['messages']] == ids[1:]


def test_priority_is_shown_only_when_browsing(post_messages, list_messages,
                                              claim):
    post_messages('q', {'body': 'usual'}, {'body': 'urgent', 'priority': 9})
    plain = list_messages('q').json['messages']
    assert [m['body'] for m in plain] == ['usual', 'urgent']
    assert all('priority' not in m for m in plain)
    browsed = list_messages('q', state='all').json['messages']
    assert [(m['body'], m['priority']) for m in browsed] == \
        [('usual', 4), ('urgent', 9)]
    claimed = claim('q', limit=1).json['messages']
    assert all('priority' not in m for m in claimed)
