"""Each gunicorn worker on a CPU of its own (``worker_cpu_affinity``).

Left to the scheduler, the workers of a busy server wander between CPUs
and share them with each other, and every move leaves a worker's caches
behind.  Pinned, worker ``n`` runs on the ``n``-th CPU of the list (round
the list again when there are more workers than CPUs).  On the project's
2-core machine, 2 pinned workers served 13 % more posts of one message
and 12 % more claims a second than unpinned ones, with a p99 a fifth
lower, but 8 % fewer posts of 10, whose heavier Redis scripts then wait
longer for a core (``docs/benchmarks.md``).  The master, the housekeeper
and everything else on the host still run anywhere.

Worth it on a host whose CPUs serve this one server.  Several servers
pinning on one host would share the first CPUs and leave the others
idle, which is why it is off by default.
"""

import os

from zaqar_lite import errors

SETTING = '[drivers:transport:wsgi] worker_cpu_affinity'


def allowed_cpus() -> set | None:
    """The CPUs this process may run on; ``None`` where the platform
    cannot pin processes (``os.sched_setaffinity`` is Linux's)."""
    if not hasattr(os, 'sched_getaffinity'):
        return None
    return os.sched_getaffinity(0)


def worker_cpus(setting: str, allowed: set | None) -> list | None:
    """The CPUs workers take in turn, or ``None`` for no pinning.

    Args:
        setting: ``none``, ``auto`` (every CPU in ``allowed``, in order) or
            CPU numbers separated by commas, each in ``allowed``.
        allowed: the CPUs this process may run on (``allowed_cpus()``).

    Raises:
        ConfigurationError: ``setting`` is none of these, or the platform
            cannot pin.
    """
    setting = setting.strip().lower()
    if setting == 'none':
        return None
    if allowed is None:
        raise errors.ConfigurationError(
            f'{SETTING}: this platform cannot pin processes to CPUs; '
            f'set it to "none"')
    if setting == 'auto':
        return sorted(allowed)
    try:
        cpus = [int(part) for part in setting.split(',')]
    except ValueError:
        raise errors.ConfigurationError(
            f'{SETTING} must be "none", "auto" or CPU numbers separated by '
            f'commas, not {setting!r}') from None
    outside = sorted(set(cpus) - set(allowed))
    if outside:
        raise errors.ConfigurationError(
            f'{SETTING}: this process may not run on CPU '
            f'{", ".join(map(str, outside))} (it may on '
            f'{", ".join(map(str, sorted(allowed)))})')
    return cpus


def pin_worker(cpus: list, slot: int) -> int:
    """Pin the calling process (a worker, before it starts its threads)
    to the CPU of its ``slot``; that CPU."""
    cpu = cpus[slot % len(cpus)]
    os.sched_setaffinity(0, {cpu})
    return cpu
