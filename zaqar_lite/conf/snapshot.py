"""An option group's values, read once.

Reading an option through oslo.config (``conf.transport.max_message_ttl``)
is a method call and two dictionary look-ups, about 0.6 µs; the API reads
the ``[transport]`` limits about eight times for every message post.  The
values do not change while a process serves: a configuration reload
starts new gunicorn workers, which read them again.
"""


class Snapshot:
    """The values ``group`` (an oslo.config group) has now, read as
    attributes (``limits.max_message_ttl``) or items (``limits[name]``)."""

    def __init__(self, group):
        self.__dict__.update(group)

    def __getitem__(self, name):
        try:
            return self.__dict__[name]
        except KeyError:
            raise KeyError(name) from None
