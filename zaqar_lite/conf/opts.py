"""Entry point for ``oslo-config-generator`` (namespace ``zaqar_lite``)."""

from zaqar_lite import conf


def list_opts():
    """Every option group zaqar-lite registers, for the sample file."""
    return [pair for module in conf.MODULES for pair in module.list_opts()]
