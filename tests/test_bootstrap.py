"""Start-up: what bootstrap refuses, loudly, before serving."""

import pytest

from zaqar_lite import conf as zconf
from zaqar_lite import errors
from zaqar_lite.bootstrap import Bootstrap


@pytest.fixture
def conf(tmp_path):
    loaded = zconf.load()
    loaded.set_override('uri', f'sqlite:///{tmp_path}/boot.db',
                        group='drivers:message_store:sqlite')
    return loaded


@pytest.mark.parametrize('resource', ['subscription', 'topic'])
def test_subscription_and_topic_pipelines_take_stages(conf, resource):
    conf.set_override(f'{resource}_pipeline', ['test_record_first'],
                      group='storage')
    pipeline = getattr(Bootstrap(conf).pipelines, resource)
    assert [type(stage).__name__ for stage in pipeline.stages] == \
        ['RecordFirst']


def test_confirmation_without_a_signing_key_is_refused(conf):
    conf.set_override('require_confirmation', True, group='notification')
    with pytest.raises(errors.ConfigurationError, match='secret_key'):
        Bootstrap(conf).pipelines


def test_a_subscriber_type_without_a_task_is_refused(conf):
    conf.set_override('subscriber_types', ['http', 'gopher'],
                      group='transport')
    with pytest.raises(errors.PluginLoadError, match="'gopher'"):
        Bootstrap(conf).app


def test_missing_stage_names_option_and_installed_stages(conf):
    conf.set_override('claim_pipeline', ['nope'], group='storage')
    with pytest.raises(errors.PluginLoadError) as caught:
        Bootstrap(conf).pipelines
    message = str(caught.value)
    assert "[storage] claim_pipeline: no stage named 'nope'" in message
    assert 'protect_queues' in message and 'test_zaqar_style' in message


def test_unknown_message_store_lists_installed_stores(conf):
    conf.set_override('message_store', 'nosuch', group='drivers')
    with pytest.raises(errors.PluginLoadError, match='installed: mongodb, redis, sqlite'):
        Bootstrap(conf).data_driver


def test_configured_stages_sit_in_front_of_the_controller(conf, tmp_path,
                                                          monkeypatch):
    monkeypatch.setenv('ZAQAR_LITE_STAGE_LOG', str(tmp_path / 'log'))
    conf.set_override('queue_pipeline',
                      ['test_record_first', 'test_record_second'],
                      group='storage')
    pipelines = Bootstrap(conf).pipelines
    assert [type(s).__name__ for s in pipelines.queue.stages] == \
        ['RecordFirst', 'RecordSecond']
    assert pipelines.queue.create('q', project='p') is True
    assert (tmp_path / 'log').read_text().splitlines() == \
        ['first create q', 'second create q']
