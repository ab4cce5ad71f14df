"""Configuration: one module per option group, registered once at start-up.

Each module has ``GROUP``, ``OPTS`` and ``list_opts()``; :func:`register`
registers them all on a ``ConfigOpts``, and :func:`load` builds a fresh
configuration from a file, as ``zaqar-lite`` and the tests do.
"""

from oslo_config import cfg

from zaqar_lite.conf import (consumers, cors, default, drivers, mongodb,
                             notification, redis, sqlite, storage, transport,
                             websocket, wsgi)

MODULES = (default, drivers, wsgi, websocket, sqlite, redis, mongodb, storage, transport,
           notification, cors, consumers)


def register(conf: cfg.ConfigOpts, skip=()) -> cfg.ConfigOpts:
    """Register every zaqar-lite option on ``conf`` and return it.

    Groups starting with a prefix in ``skip`` are examples for the sample
    file (``[consumer:<name>]`` sections are registered once the file is
    read, see ``consumers.config``).
    """
    for module in MODULES:
        for group, opts in module.list_opts():
            name = getattr(group, 'name', group)  # a str or an OptGroup
            if skip and name.startswith(tuple(skip)):
                continue
            conf.register_opts(opts, group=None if name == 'DEFAULT'
                               else group)
    return conf


def load(config_files=(), args=()) -> cfg.ConfigOpts:
    """A new, registered ``ConfigOpts`` read from ``config_files``.

    With no files, every option has its default (oslo.config's own search
    for ``zaqar.conf`` is skipped, so a stray file cannot change a run).
    """
    conf = register(cfg.ConfigOpts(), skip=(consumers.SECTION_PREFIX,))
    conf(list(args), project='zaqar', prog='zaqar-lite',
         default_config_files=list(config_files), default_config_dirs=[],
         validate_default_values=True)
    return conf
