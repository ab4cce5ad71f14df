"""The WebSocket transport: Zaqar's WebSocket protocol over the same API.

A request frame is ``{"action": ..., "headers": {...}, "body": {...}}``;
the answer is ``{"request": <the request>, "body": ..., "headers":
{"status": N}}``.  Text frames carry JSON, binary frames msgpack, and every
answer uses the encoding of its request.

Each action is the request of one HTTP route (``actions.py``), served by
the very WSGI application that gunicorn serves, called in-process
(``dispatch.py``, driven by ``handler.py``): header checks, signed URLs,
validation, pipelines and error mapping are the HTTP API's own, never a
copy.  ``server.py`` runs the
connections on an asyncio event loop (the ``websockets`` library) with
storage calls in a thread pool; ``push.py`` pushes newly posted messages to
sockets that subscribed; ``auth.py`` is the ``authenticate`` action.
"""
