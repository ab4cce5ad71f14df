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
    cfg.FloatOpt('redrive_interval', default=1.0, min=0,
                 help='Seconds between passes of the housekeeper over the '
                      'running redrive jobs (each pass moves up to a '
                      'job\'s rate per second elapsed, at most one '
                      'second\'s worth); 0 runs no redrive jobs in this '
                      'server.'),
]


def list_opts():
    return [(GROUP, OPTS)]
