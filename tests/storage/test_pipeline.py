"""Pipeline semantics: Zaqar's, so stages written for Zaqar behave alike."""

import pytest

from zaqar_lite.storage.pipeline import Pipeline


class Recorder:
    def __init__(self, name, calls, result=None):
        self.name, self.calls, self.result = name, calls, result

    def create(self, queue, metadata=None, project=None):
        self.calls.append((self.name, queue, project))
        return self.result


class Silent:
    """A stage that hooks nothing."""


def test_stages_run_in_order_then_the_controller():
    calls = []
    pipeline = Pipeline([Recorder('one', calls), Silent(),
                         Recorder('two', calls)],
                        Recorder('controller', calls, result=True))
    assert pipeline.create('q', project='p') is True
    assert [name for name, *_ in calls] == ['one', 'two', 'controller']
    assert calls[0] == ('one', 'q', 'p')


def test_first_non_none_result_halts_the_pipeline():
    calls = []
    pipeline = Pipeline([Recorder('one', calls, result=False),
                         Recorder('two', calls)],
                        Recorder('controller', calls, result=True))
    assert pipeline.create('q') is False
    assert [name for name, *_ in calls] == ['one']


def test_controller_result_is_returned_even_when_none():
    calls = []
    pipeline = Pipeline([], Recorder('controller', calls))
    assert pipeline.create('q') is None
    assert calls == [('controller', 'q', None)]


def test_unknown_method_is_an_attribute_error():
    pipeline = Pipeline([Silent()], Silent())
    with pytest.raises(AttributeError):
        pipeline.delete('q')
