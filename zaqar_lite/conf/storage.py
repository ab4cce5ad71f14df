"""[storage]: storage pipelines and housekeeping."""

from oslo_config import cfg

GROUP = 'storage'

RESOURCES = ('queue', 'message', 'claim', 'subscription', 'topic')

PIPELINE_OPTS = [
    cfg.ListOpt(f'{resource}_pipeline', default=[],
                help=f'Stages placed, in this order, in front of the '
                     f'{resource} storage controller: entry-point names from '
                     f'the zaqar_lite.storage.stages or zaqar.storage.stages '
                     f'groups. A stage that cannot be loaded stops the '
                     f'server at start-up.')
    for resource in RESOURCES
]

OPTS = PIPELINE_OPTS + [
    cfg.IntOpt('gc_interval', default=60, min=0,
               help='Seconds between garbage collections of expired '
                    'messages and claims while serving; 0 disables it '
                    '(run "zaqar-lite gc" instead). Expired data is '
                    'invisible at once either way.'),
]


def list_opts():
    return [(GROUP, OPTS)]
