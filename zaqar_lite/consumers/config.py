"""The consumers a configuration declares: one ``[consumer:<name>]`` each.

oslo.config only knows groups registered in advance, so the sections are
discovered in the files read and their options registered then.
"""

import dataclasses

from zaqar_lite import errors
from zaqar_lite.conf import consumers as options


@dataclasses.dataclass(frozen=True)
class Consumer:
    """One consumer: a queue and the handler module that processes it."""

    name: str
    queue: str
    handler: str
    concurrency: int
    batch: int


def consumers(conf) -> dict:
    """``{name: Consumer}`` of every ``[consumer:<name>]`` section.

    Raises:
        ConfigurationError: a section lacks its queue or handler.
    """
    found = {}
    for section in sorted(conf.list_all_sections()):
        if not section.startswith(options.SECTION_PREFIX):
            continue
        name = section[len(options.SECTION_PREFIX):]
        if section not in conf:
            conf.register_opts(options.CONSUMER_OPTS, group=section)
        group = conf[section]
        for required in ('queue', 'handler'):
            if not group[required]:
                raise errors.ConfigurationError(
                    f'[{section}] needs a {required}')
        found[name] = Consumer(name, group.queue, group.handler,
                               group.concurrency, group.batch)
    return found


def consumer(conf, name) -> Consumer:
    """The consumer ``name``. Raises ConfigurationError when unknown."""
    known = consumers(conf)
    if name not in known:
        raise errors.ConfigurationError(
            f'no consumer named {name!r}; configured: '
            f'{", ".join(known) or "none"} (sections [consumer:<name>])')
    return known[name]
