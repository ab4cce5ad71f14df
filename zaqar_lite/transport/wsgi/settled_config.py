"""A gunicorn worker's settings, looked up once each.

gunicorn reads its settings through ``Config.__getattr__`` (a dictionary
look-up and a method call) about 25 times for every request it serves.  A
worker's settings never change while it runs: a configuration reload
replaces the workers.  ``settled`` gives a worker a copy of its ``Config``
that keeps each setting after its first read as a plain attribute.
"""

from gunicorn.config import Config


class SettledConfig(Config):
    """A ``Config`` whose settings are read once, then kept."""

    def __getattr__(self, name):
        value = super().__getattr__(name)  # AttributeError when no setting
        self.__dict__[name] = value  # Config.__setattr__ refuses settings
        return value


def settled(cfg: Config) -> SettledConfig:
    """A copy of ``cfg`` that keeps what it reads (``cfg`` is unchanged)."""
    copy = SettledConfig.__new__(SettledConfig)
    copy.__dict__.update(cfg.__dict__)
    return copy
