"""Fuzzing the running server from its own OpenAPI document (schemathesis).

Every generated request must get an answer (no hang), never a 5xx, and
every 4xx must carry a JSON error body with a title and a description.
CI runs a bounded number of cases per operation; ``--run-slow`` many more.
"""

import json

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error

from tests.e2e.conftest import Service, service_conf

CI_EXAMPLES, SLOW_EXAMPLES = 8, 150

# Queue metadata PATCH bodies are JSON under Zaqar's own media type.
schemathesis.serializer.alias(
    'application/openstack-messaging-v2.0-json-patch', 'application/json')


@pytest.fixture(scope='module')
def fuzzed(tmp_path_factory):
    with Service(service_conf(tmp_path_factory.mktemp('fuzz'),
                              DEFAULT={'admin_mode': True})) as running:
        yield running


def json_error_body(response):
    """A 4xx says what is wrong, as {"title", "description"}."""
    if 400 <= response.status_code < 500 and response.status_code != 405:
        body = json.loads(response.content)
        assert isinstance(body, dict) and isinstance(body.get('title'), str) \
            and isinstance(body.get('description'), str), \
            f'{response.status_code} without a JSON error body: {body!r}'


def test_no_request_breaks_the_server(fuzzed, request):
    schema = schemathesis.openapi.from_url(fuzzed.url + '/v2/openapi.json')
    examples = SLOW_EXAMPLES if request.config.getoption('--run-slow') \
        else CI_EXAMPLES
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if 'pools/' in operation.path and operation.method.upper() in (
                'PUT', 'PATCH'):
            continue  # would make the server dial generated URIs

        @hypothesis.settings(max_examples=examples, deadline=None,
                             database=None, derandomize=True,
                             suppress_health_check=list(
                                 hypothesis.HealthCheck))
        @hypothesis.given(case=operation.as_strategy())
        def run(case):
            response = case.call(base_url=fuzzed.url, timeout=30)
            case.validate_response(response, checks=[not_a_server_error])
            json_error_body(response)

        try:
            run()
        except Exception as exc:  # collect every failing operation
            failures.append(f'{operation.method.upper()} {operation.path}: '
                            f'{str(exc)[:1500]}')
    assert not failures, '\n\n'.join(failures)
