"""The driver-independent storage contract, and helpers its tests share."""

from zaqar_lite.storage.utils import page


def listed_bodies(messages, queue, page_size, project='p'):
    """The bodies of every message of ``queue`` (own ones included), page
    by page of ``page_size`` as a client would list them."""
    bodies, marker = [], None
    while True:
        items, marker = page(messages.list(queue, project=project, echo=True,
                                           marker=marker, limit=page_size))
        if not items:
            return bodies
        bodies += [item['body'] for item in items]
