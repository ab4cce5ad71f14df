"""Browsing a queue: ``state=all`` lists every message with its state."""

import datetime

import pytest

from tests.transport.conftest import claim_id_of


def moment(text):
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc).timestamp()


def by_body(list_messages, **params):
    resp = list_messages('q', state='all', **params)
    assert resp.status_code == 200, resp.text
    return {m['body']: m for m in resp.json['messages']}


def test_every_message_is_listed_with_its_state(post_messages, claim,
                                                list_messages):
    post_messages('q', {'body': 'held'}, {'body': 'ready'})
    post_messages('q', {'body': 'later', 'delay': 600})
    resp = claim('q', ttl=300, limit=1)
    assert resp.status_code == 201
    found = by_body(list_messages)
    assert [found[b]['state'] for b in ('held', 'ready', 'later')] == \
        ['claimed', 'ready', 'delayed']
    assert found['held']['claim_count'] == 1
    assert found['ready']['claim_count'] == 0
    now = datetime.datetime.now(datetime.timezone.utc).timestamp()
    assert moment(found['held']['claim_expires']) == pytest.approx(
        now + 300, abs=5)
    assert moment(found['later']['deliver_at']) == pytest.approx(
        now + 600, abs=5)
    assert 'claim_expires' not in found['ready']
    assert 'deliver_at' not in found['ready']


def test_browsing_never_reveals_the_claim_id(post_messages, claim,
                                             list_messages):
    post_messages('q', {'body': 'held'})
    claim_id = claim_id_of(claim('q'))
    listed = list_messages('q', state='all')
    assert claim_id not in listed.text
    assert '?' not in by_body(list_messages)['held']['href']


def test_plain_listings_keep_zaqar_shape(post_messages, list_messages):
    # python-zaqarclient builds its Message objects from exactly these keys.
    post_messages('q', {'body': 'one'})
    [message] = list_messages('q').json['messages']
    assert set(message) == {'id', 'href', 'ttl', 'age', 'body'}


def test_browsing_pages_through_every_state(post_messages, claim,
                                            list_messages):
    post_messages('q', *[{'body': n} for n in range(5)])
    post_messages('q', {'body': 5, 'delay': 600})
    claim('q', limit=2)
    seen, params = [], {'limit': 2}
    while True:
        resp = list_messages('q', state='all', **params)
        page = resp.json['messages']
        if not page:
            break
        seen += [(m['body'], m['state']) for m in page]
        params = {'limit': 2, 'marker': resp.json['links'][0]['href']
                  .split('marker=')[1].split('&')[0]}
    assert seen == [(0, 'claimed'), (1, 'claimed'), (2, 'ready'),
                    (3, 'ready'), (4, 'ready'), (5, 'delayed')]


def test_an_unknown_state_value_is_refused(list_messages):
    resp = list_messages('q', state='claimed')
    assert resp.status_code == 400
    assert resp.json == {
        'title': 'Invalid parameter',
        'description': 'The "state" parameter is invalid. The value of the '
                       'parameter must be "all".'}
