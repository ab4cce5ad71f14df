"""SIGTERM or SIGINT in the middle of a batch, on a worker process."""

import signal

import pytest

from tests.conftest import wait_for
from tests.consumers.helpers import cli_process, post, run_once, stored_keys


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT],
                         ids=['SIGTERM', 'SIGINT'])
def test_a_signal_mid_batch_loses_nothing_and_repeats_nothing(
        setup, handler_folder, signum):
    path, conf, api = setup(batch=10)
    keys = [f's{n}' for n in range(10)]
    post(api, *[{'key': key, 'sleep': 0.2} for key in keys])
    worker = cli_process(path, handler_folder.parent, 'worker')
    wait_for(lambda: len(stored_keys(conf)) >= 2, timeout=60,
             what='a few messages processed')
    worker.send_signal(signum)
    _, log = worker.communicate(timeout=30)
    assert worker.returncode == 0, log
    done = stored_keys(conf)
    assert 2 <= len(done) < 10, 'the signal should stop the batch midway'
    assert f'{len(done)} processed, 0 failed, {10 - len(done)} returned' \
        in log
    # The rest is claimable at once, and none of it was processed before
    # (a second processing would fail on the unique key).
    [runner] = run_once(conf)
    assert runner.totals == {'processed': 10 - len(done), 'failed': 0,
                             'returned': 0}
    assert stored_keys(conf) == sorted(keys)
