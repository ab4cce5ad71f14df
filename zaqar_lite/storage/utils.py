"""Helpers shared by every driver and by the transport."""


def page(listing):
    """Unpack a Zaqar-shaped listing into ``(items, next_marker)``.

    A listing is a generator that yields an iterator over one page, then
    the marker of the next page.
    """
    items = list(next(listing))
    marker = next(listing, None)
    return items, marker


def parse_seq_marker(marker, largest: int) -> int:
    """The sequence number a message listing marker stands for.

    Args:
        marker: what the client sent back (None or '' from the start).
        largest: the largest sequence the store keeps exactly.

    Raises:
        ValidationError: not a marker this service issued.
    """
    from zaqar_lite import errors

    if marker in (None, ''):
        return 0
    text = str(marker)
    if not text.isdigit() or int(text) > largest:
        raise errors.ValidationError(
            f'The marker {marker!r} is not one this service issued.',
            title='Invalid parameter')
    return int(text)
