"""The OpenAPI document: valid, served, and exactly what the app routes."""

import pytest
from openapi_spec_validator import validate

from tests.transport.conftest import build_bootstrap
from zaqar_lite.conf.snapshot import Snapshot
from zaqar_lite.transport import openapi
from zaqar_lite.transport.validation import Validator
from zaqar_lite.transport.wsgi import app as wsgi_app

METHODS = ('get', 'head', 'post', 'put', 'patch', 'delete')


@pytest.mark.parametrize('admin_mode', [False, True])
def test_the_document_is_valid_openapi(admin_mode):
    validate(openapi.document(admin_mode))


@pytest.mark.parametrize('admin_mode', [False, True])
def test_every_route_and_method_is_documented_and_nothing_else(
        tmp_path, admin_mode):
    boot = build_bootstrap(tmp_path, admin_mode=admin_mode)
    try:
        boot.app  # builds everything the route table needs
        validator = Validator(Snapshot(boot.conf.transport))
        table = wsgi_app.routes(boot.conf, validator, boot.pipelines,
                                boot.data_driver, boot.notifier,
                                boot.notification_tasks,
                                boot.control_driver if admin_mode else None)
    finally:
        boot.close()
    served = {(path, method) for path, resource in table
              for method in METHODS if hasattr(resource, f'on_{method}')}
    documented = {(path, method) for path, item in
                  openapi.document(admin_mode)['paths'].items()
                  for method in METHODS if method in item}
    assert served - documented == set(), 'routes missing from the document'
    assert documented - served == set(), 'documented routes not served'


def test_the_document_is_served(client):
    answer = client.simulate_get('/v2/openapi.json')
    assert answer.status_code == 200
    assert answer.json['openapi'].startswith('3.')
    assert '/v2/topics/{queue_name}/subscriptions' in answer.json['paths']
    assert '/v2/pools' not in answer.json['paths']
