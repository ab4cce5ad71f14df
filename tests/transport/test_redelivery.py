"""Redelivery backoff over HTTP: ``_redelivery_policy`` and release delays."""

import datetime
import json
import time

import pytest

from tests.transport.conftest import claim_id_of
from tests.transport.expected import api_error

JSON_PATCH = 'application/openstack-messaging-v2.0-json-patch'
# the first redelivery at once, then after 100 seconds and more
POLICY = {'retries_with_no_delay': 1, 'minimum_delay_retries': 1,
          'minimum_delay': 100, 'maximum_delay': 200}


@pytest.fixture
def release(client, headers):
    def delete(queue, claim_id, **params):
        resp = client.simulate_delete(f'/v2/queues/{queue}/claims/{claim_id}',
                                      headers=headers, params=params)
        assert resp.status_code == 204, resp.text
    return delete


@pytest.fixture
def stored(client, headers):
    def get(queue):
        return client.simulate_get(f'/v2/queues/{queue}',
                                   headers=headers).json
    return get


BAD_POLICIES = [
    ('[]', 'retry_policy must be a dict.'),
    ({'retry_backoff_function': 'cubic'}, 'invalid retry_backoff_function.'),
    ({'minimum_delay': 'soon'}, 'Retry policy: minimum_delay must be a '
                                'integer.'),
    ({'minimum_delay': 50, 'maximum_delay': 10},
     'minimum_delay must less than maximum_delay.'),
    ({'ignore_subscription_override': 1},
     'ignore_subscription_override must be a boolean.'),
]


@pytest.mark.parametrize('policy, description', BAD_POLICIES)
def test_a_bad_policy_on_create_is_refused_with_the_retry_policy_texts(
        put_queue, stored, policy, description):
    policy = [] if policy == '[]' else policy
    resp = put_queue('q', {'_redelivery_policy': policy, 'a': 1})
    assert resp.status_code == 400
    assert resp.json == api_error(description)
    assert 'a' not in stored('q')


@pytest.mark.parametrize('policy, description', BAD_POLICIES)
def test_a_bad_policy_in_a_patch_is_refused_and_changes_nothing(
        client, headers, put_queue, stored, policy, description):
    policy = [] if policy == '[]' else policy
    put_queue('q', {'_redelivery_policy': POLICY})
    resp = client.simulate_patch(
        '/v2/queues/q', headers={**headers, 'Content-Type': JSON_PATCH},
        body=json.dumps([{'op': 'replace',
                          'path': '/metadata/_redelivery_policy',
                          'value': policy}]))
    assert resp.status_code == 400
    assert resp.json == api_error(description)
    assert stored('q')['_redelivery_policy'] == POLICY


def test_a_release_waits_the_backoff_of_the_claim_count(
        put_queue, post_messages, claim, release, stats, list_messages):
    assert put_queue('q', {'_redelivery_policy': POLICY}).status_code == 201
    post_messages('q', {'body': 'job'})
    release('q', claim_id_of(claim('q')))  # first claim: again at once
    release('q', claim_id_of(claim('q')))  # second: 100 seconds later
    assert claim('q').status_code == 204
    assert stats('q')['delayed'] == 1
    [shown] = list_messages('q', state='all').json['messages']
    assert shown['state'] == 'delayed' and shown['claim_count'] == 2
    assert 'deliver_at' in shown and 'claim_expires' not in shown


def test_a_release_delay_of_0_releases_at_once_despite_the_policy(
        put_queue, post_messages, claim, release, stats):
    put_queue('q', {'_redelivery_policy': {**POLICY,
                                           'retries_with_no_delay': 0}})
    post_messages('q', {'body': 'job'})
    release('q', claim_id_of(claim('q')), delay=0)
    assert claim('q').status_code == 201


def test_a_queue_without_a_policy_releases_at_once(put_queue, post_messages,
                                                  claim, release):
    put_queue('q')
    post_messages('q', {'body': 'job'})
    for _ in range(3):
        release('q', claim_id_of(claim('q')))
    assert claim('q').status_code == 201


class ZaqarClaimStage:
    """A claim stage written for Zaqar: ``delete`` takes no delay."""

    def __init__(self):
        self.releases = []

    def delete(self, queue, claim_id, project=None):
        self.releases.append((queue, claim_id, project))


def test_a_release_at_once_reaches_zaqar_stages_with_zaqar_arguments(
        tmp_path, make_headers):
    import falcon.testing

    from tests.transport.conftest import build_bootstrap
    bootstrap = build_bootstrap(tmp_path)
    stage = ZaqarClaimStage()
    bootstrap.pipelines.claim.stages.append(stage)
    client = falcon.testing.TestClient(bootstrap.app)
    headers = make_headers()
    client.simulate_post('/v2/queues/q/messages', headers=headers,
                         json={'messages': [{'body': 1}, {'body': 2}]})
    claimed = []
    for params in ({}, {'delay': 0}):  # no policy: delay=0 is Zaqar's release
        resp = client.simulate_post('/v2/queues/q/claims', headers=headers,
                                    json={'ttl': 60}, params={'limit': 1})
        claimed.append(claim_id_of(resp))
        resp = client.simulate_delete(f'/v2/queues/q/claims/{claimed[-1]}',
                                      headers=headers, params=params)
        assert resp.status_code == 204
    assert stage.releases == [('q', claim_id, headers['X-Project-ID'])
                              for claim_id in claimed]
    bootstrap.close()


def test_a_lapsed_claim_in_its_backoff_is_browsed_as_delayed(tmp_path,
                                                             make_headers):
    import falcon.testing

    from tests.conftest import wait_for
    from tests.transport.conftest import build_bootstrap
    bootstrap = build_bootstrap(tmp_path)
    client = falcon.testing.TestClient(bootstrap.app)
    headers = make_headers()
    client.simulate_put('/v2/queues/q', headers=headers,
                        json={'_redelivery_policy': POLICY | {
                            'retries_with_no_delay': 0}})
    client.simulate_post('/v2/queues/q/messages', headers=headers,
                         json={'messages': [{'body': 1}]})
    # A claim shorter than the API allows, made in storage, lapses soon.
    project = headers['X-Project-ID']
    claims = bootstrap.data_driver.claim_controller
    before = time.time()
    claim_id, _ = claims.create('q', {'ttl': 1, 'grace': 60}, project=project)

    def browsed():
        [shown] = client.simulate_get('/v2/queues/q/messages',
                                      headers=headers,
                                      params={'state': 'all', 'echo': 'true'}
                                      ).json['messages']
        return shown if shown['state'] != 'claimed' else None

    shown = wait_for(browsed, what='the claim to lapse')
    assert shown['state'] == 'delayed' and 'claim_expires' not in shown
    deliver_at = datetime.datetime.strptime(
        shown['deliver_at'], '%Y-%m-%dT%H:%M:%SZ').replace(
            tzinfo=datetime.timezone.utc).timestamp()
    assert deliver_at >= int(before) + 100  # claim end + its backoff
    assert client.simulate_get(f'/v2/queues/q/claims/{claim_id}',
                               headers=headers).status_code == 404
    assert client.simulate_post('/v2/queues/q/claims', headers=headers,
                                json={}).status_code == 204
    bootstrap.close()
