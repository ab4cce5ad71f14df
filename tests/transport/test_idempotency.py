"""Idempotent posts over HTTP: ``idempotency_key`` and ``_dedup_window``."""

import pytest

from tests.transport.expected import api_error

KEY_TEXT = ('The idempotency_key of a message must be a string of 1 to 128 '
            'characters.')
WINDOW_TEXT = ('_dedup_window can not exceed 86400 seconds, and must be at '
               'least 1 second long.')


def test_a_repeated_key_answers_with_the_first_id(post_messages,
                                                  list_messages):
    [first] = post_messages('q', {'body': 'order 1',
                                  'idempotency_key': 'order-1'})
    ids = post_messages('q', {'body': 'order 1, again',
                              'idempotency_key': 'order-1'},
                        {'body': 'order 2', 'idempotency_key': 'order-2'})
    assert ids[0] == first and ids[1] != first
    listed = list_messages('q').json['messages']
    assert [m['body'] for m in listed] == ['order 1', 'order 2']


def test_unkeyed_messages_are_stored_each_time(post_messages, list_messages):
    post_messages('q', {'body': 'same'})
    post_messages('q', {'body': 'same'})
    assert len(list_messages('q').json['messages']) == 2


@pytest.mark.parametrize('key', ['', 7, None, 'k' * 129, ['k']])
def test_a_bad_key_is_refused_and_nothing_is_stored(client, headers, key,
                                                    list_messages):
    resp = client.simulate_post('/v2/queues/q/messages', headers=headers,
                                json={'messages': [
                                    {'body': 'fine'},
                                    {'body': 'x', 'idempotency_key': key}]})
    assert resp.status_code == 400
    assert resp.json == api_error(KEY_TEXT)
    assert list_messages('q').json['messages'] == []


@pytest.mark.parametrize('window', [0, 86401, '60', True])
def test_a_bad_dedup_window_is_refused(put_queue, window):
    resp = put_queue('q', {'_dedup_window': window})
    assert resp.status_code == 400
    assert resp.json == api_error(WINDOW_TEXT)


def test_the_queue_window_is_used_and_shown(put_queue, client, headers,
                                            post_messages):
    assert put_queue('q', {'_dedup_window': 3600}).status_code == 201
    metadata = client.simulate_get('/v2/queues/q', headers=headers).json
    assert metadata['_dedup_window'] == 3600
    first = post_messages('q', {'body': 1, 'idempotency_key': 'k'})
    assert post_messages('q', {'body': 1, 'idempotency_key': 'k'}) == first


def test_keys_of_one_project_do_not_touch_another(post_messages,
                                                  make_headers,
                                                  list_messages):
    other = make_headers(project='other')
    first = post_messages('q', {'body': 'p', 'idempotency_key': 'k'})
    theirs = post_messages('q', {'body': 'other', 'idempotency_key': 'k'},
                           headers=other)
    assert theirs != first
    assert [m['body'] for m in list_messages(
        'q', headers=make_headers(project='other')).json['messages']] == \
        ['other']
