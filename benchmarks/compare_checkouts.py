"""Two zaqar-lite source trees side by side, on one Redis, in one run.

For telling whether a change makes the server faster on a machine whose
speed drifts: both trees serve at once (each ``zaqar-lite serve`` started
from its own tree, with the same settings and worker count, on one
redis-server), and every workload runs in many short rounds that
alternate between them, as in ``compare_zaqar.py``.  Two runs of one tree
against itself on the project's 2-core machine differed by up to 6 % (30
rounds of 1 s), so smaller differences need several runs to tell.

    git worktree add /tmp/base main
    python benchmarks/compare_checkouts.py --base /tmp/base \\
        --workloads 'post batch 1' --seconds 30 --rounds 30

``--new`` defaults to this checkout.  ``--new-affinity`` and
``--base-affinity`` set each server's ``worker_cpu_affinity``; with the
same tree as both, they compare the settings:

    python benchmarks/compare_checkouts.py --base . --new-affinity auto \
        --workloads 'post batch 1' --seconds 30 --rounds 30
"""

import argparse
import contextlib
import os
import pathlib
import shutil
import sys
import tempfile

import compare_zaqar as side_by_side
import http_bench as bench


@contextlib.contextmanager
def checkouts(trees: dict, workers: int, affinities: dict):
    """``{name: Service}`` of one server per source tree, on one Redis,
    each with its ``worker_cpu_affinity`` from ``affinities``."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        redis_port = side_by_side.free_port()
        redis_cmd = [shutil.which('redis-server'), '--port', str(redis_port),
                     '--bind', '127.0.0.1', '--save', '', '--dir', str(tmp)]
        with contextlib.ExitStack() as stack:
            redis_proc = stack.enter_context(side_by_side.process(redis_cmd))
            services = {}
            for name, tree in trees.items():
                port = side_by_side.free_port()
                conf = tmp / f'{name}.conf'
                conf.write_text(side_by_side.LITE_CONF.format(
                    http_port=port, workers=workers, port=redis_port,
                    affinity=affinities[name]))
                proc = stack.enter_context(side_by_side.process(
                    [sys.executable, '-m', 'zaqar_lite.cli', 'serve',
                     '--config-file', str(conf)], cwd=tree,
                    env={**os.environ, 'PYTHONPATH': str(tree)}))
                services[name] = side_by_side.Service(
                    f'http://127.0.0.1:{port}', proc.pid, redis_proc.pid)
            for service in services.values():
                bench.wait_until_up(service.endpoint, timeout=60)
            yield services


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    here = pathlib.Path(__file__).resolve().parent.parent
    parser.add_argument('--base', required=True, type=pathlib.Path,
                        help='the source tree to compare against')
    parser.add_argument('--new', default=here, type=pathlib.Path,
                        help='the source tree with the change (default: '
                             'this one)')
    names = [name for name, _, _ in side_by_side.WORKLOADS]
    parser.add_argument('--workloads', nargs='+', choices=names,
                        default=names, metavar='WORKLOAD',
                        help=f'of {", ".join(names)} (default: all); '
                             'claims run after "post batch 10", whose '
                             'messages they claim')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--clients', type=int, default=4)
    parser.add_argument('--seconds', type=float, default=30,
                        help='seconds of each workload, per tree')
    parser.add_argument('--rounds', type=int, default=30,
                        help='rounds each workload is split into, '
                             'alternating between the trees')
    for name in ('new', 'base'):
        parser.add_argument(f'--{name}-affinity', default='none',
                            help=f"the {name} server's worker_cpu_affinity")
    args = parser.parse_args(argv)
    affinities = {'new': args.new_affinity, 'base': args.base_affinity}
    trees = {'new': args.new.resolve(), 'base': args.base.resolve()}
    for tree in trees.values():
        if not (tree / 'zaqar_lite' / 'cli.py').is_file():
            parser.error(f'{tree} is not a zaqar-lite source tree')
    chosen = set(args.workloads)
    if 'claim 10 + delete' in chosen:
        chosen.add('post batch 10')  # it claims what those posted
    workloads = [w for w in side_by_side.WORKLOADS if w[0] in chosen]
    with checkouts(trees, args.workers, affinities) as running:
        print(f'{args.workers} workers each, {args.clients} client '
              'processes: ' + ', '.join(f'{name} ({trees[name]}, '
                                        f'worker_cpu_affinity '
                                        f'{affinities[name]}) at '
                                        f'{service.endpoint}'
                                        for name, service in running.items()),
              flush=True)
        figures = side_by_side.throughput(running, args, workloads)
        side_by_side.print_ratios(figures['new'], figures['base'],
                                  names='new / base')


if __name__ == '__main__':
    main()
