"""Scheduled messages: ``deliver_at``, beyond Zaqar's 15-minute delay."""

import datetime

import pytest

from tests.conftest import wait_for
from tests.transport.expected import api_error

FORMAT_TEXT = ('deliver_at must be an RFC 3339 date and time, for example '
               '2026-12-01T18:00:00Z.')


def at(seconds_from_now, fmt='%Y-%m-%dT%H:%M:%SZ'):
    when = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(seconds=seconds_from_now)
    return when.strftime(fmt)


def listed(list_messages, **params):
    return [m['body'] for m in list_messages('q', **params).json['messages']]


def test_a_message_scheduled_in_an_hour_waits_hidden(
        post_messages, list_messages, claim, stats):
    post_messages('q', {'body': 'later', 'ttl': 7200,
                        'deliver_at': at(3600)})
    assert listed(list_messages) == []
    assert listed(list_messages, include_delayed='true') == ['later']
    assert claim('q').status_code == 204
    assert stats('q')['delayed'] == 1


def test_a_scheduled_message_appears_at_its_time(post_messages,
                                                 list_messages):
    post_messages('q', {'body': 'soon', 'deliver_at': at(2)})
    assert listed(list_messages) == []
    wait_for(lambda: listed(list_messages) == ['soon'], timeout=10,
             what='the scheduled message')


# (Times are made in the tests: test ids must not depend on the clock, or
# xdist workers collect different tests.)
@pytest.mark.parametrize('fmt', ['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S',
                                 '%Y-%m-%dT%H:%M:%S+00:00'])
def test_a_time_already_past_delivers_at_once(post_messages, list_messages,
                                              fmt):
    post_messages('q', {'body': 'now', 'deliver_at': at(-60, fmt)})
    assert listed(list_messages) == ['now']


def test_a_scheduled_message_is_cancelled_by_deleting_it(
        client, headers, post_messages, list_messages):
    [mid] = post_messages('q', {'body': 'cancel me', 'ttl': 7200,
                                'deliver_at': at(3600)})
    assert client.simulate_delete(f'/v2/queues/q/messages/{mid}',
                                  headers=headers).status_code == 204
    assert listed(list_messages, include_delayed='true') == []


IN_A_MINUTE, IN_TWO_HOURS = object(), object()  # made when the test runs


@pytest.mark.parametrize('message, text', [
    ({'deliver_at': 'tomorrow'}, FORMAT_TEXT),
    ({'deliver_at': '2026-12-01'}, FORMAT_TEXT),
    ({'deliver_at': 1764612000}, FORMAT_TEXT),
    ({'deliver_at': IN_A_MINUTE, 'delay': 10},
     'A message may give delay or deliver_at, not both.'),
    ({'deliver_at': IN_TWO_HOURS, 'ttl': 3600},
     'deliver_at must come before the message expires: less than its ttl '
     '(3600 seconds) from now.'),
], ids=['words', 'date-only', 'number', 'with-delay', 'after-expiry'])
def test_a_bad_schedule_is_refused_and_nothing_is_stored(
        client, headers, list_messages, message, text):
    times = {IN_A_MINUTE: at(60), IN_TWO_HOURS: at(7200)}
    message = {key: times.get(value, value) if key == 'deliver_at' else value
               for key, value in message.items()}
    resp = client.simulate_post('/v2/queues/q/messages', headers=headers,
                                json={'messages': [
                                    {'body': 'fine'},
                                    {'body': 'x', **message}]})
    assert resp.status_code == 400
    assert resp.json == api_error(text)
    assert listed(list_messages, include_delayed='true') == []
