"""worker_cpu_affinity values: which CPUs workers take in turn."""

import os

import pytest

from zaqar_lite import errors
from zaqar_lite.transport.wsgi import affinity


def test_none_pins_nothing():
    assert affinity.worker_cpus('none', {0, 1}) is None
    assert affinity.worker_cpus(' None ', {0, 1}) is None


def test_auto_takes_every_allowed_cpu_in_order():
    assert affinity.worker_cpus('auto', {5, 1, 3}) == [1, 3, 5]


def test_a_list_is_taken_in_its_order():
    assert affinity.worker_cpus('3, 1,3', {1, 3}) == [3, 1, 3]


@pytest.mark.parametrize('setting', ['', 'all', '1;2', '1,', '0x1'])
def test_anything_else_is_refused(setting):
    with pytest.raises(errors.ConfigurationError, match='must be'):
        affinity.worker_cpus(setting, {0, 1})


def test_a_cpu_the_process_may_not_use_is_refused():
    with pytest.raises(errors.ConfigurationError,
                       match='may not run on CPU 2, 7 .*may on 0, 1'):
        affinity.worker_cpus('0,2,7', {0, 1})


def test_a_platform_that_cannot_pin_refuses_all_but_none():
    assert affinity.worker_cpus('none', None) is None
    with pytest.raises(errors.ConfigurationError, match='cannot pin'):
        affinity.worker_cpus('auto', None)


def test_pin_worker_pins_the_caller_round_the_list():
    allowed = os.sched_getaffinity(0)
    cpus = sorted(allowed)
    pid = os.fork()
    if pid == 0:  # pinning the test process itself would outlive the test
        code = 0 if affinity.pin_worker(cpus, len(cpus)) == cpus[0] and \
            os.sched_getaffinity(0) == {cpus[0]} else 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert os.sched_getaffinity(0) == allowed
