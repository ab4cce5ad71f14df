"""Helpers shared by every driver and by the transport."""


def page(listing):
    """Unpack a Zaqar-shaped listing into ``(items, next_marker)``.

    A listing is a generator that yields an iterator over one page, then
    the marker of the next page.
    """
    items = list(next(listing))
    marker = next(listing, None)
    return items, marker
