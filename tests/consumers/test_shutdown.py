"""SIGTERM in the middle of a batch, on a worker process."""

import signal

from tests.conftest import wait_for
from tests.consumers.helpers import cli_process, post, run_once, stored_keys


def test_sigterm_mid_batch_loses_nothing_and_repeats_nothing(
        setup, handler_folder):
    path, conf, api = setup(batch=10)
    keys = [f's{n}' for n in range(10)]
    post(api, *[{'key': key, 'sleep': 0.2} for key in keys])
    worker = cli_process(path, handler_folder.parent, 'worker')
    wait_for(lambda: len(stored_keys(conf)) >= 2, timeout=60,
             what='a few messages processed')
    worker.send_signal(signal.SIGTERM)
    _, log = worker.communicate(timeout=30)
    assert worker.returncode == 0, log
    done = stored_keys(conf)
    assert 2 <= len(done) < 10, 'SIGTERM should stop the batch midway'
    assert f'{len(done)} processed, 0 failed, {10 - len(done)} returned' \
        in log
    # The rest is claimable at once, and none of it was processed before
    # (a second processing would fail on the unique key).
    [runner] = run_once(conf)
    assert runner.totals == {'processed': 10 - len(done), 'failed': 0,
                             'returned': 0}
    assert stored_keys(conf) == sorted(keys)
