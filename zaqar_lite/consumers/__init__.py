"""Consumer workers: claim messages, hand each to a handler that writes SQL.

A *handler* is a Python module named per consumer in ``zaqar.conf``
(``[consumer:<name>]``) with ``process(dbsession, record)``; the worker
owns the transaction (commit when ``process`` returns, roll back when it
raises) and the message (delete after commit, release to be retried
after a failure).  ``config.py`` reads the consumer sections,
``handlers.py`` loads handler modules, ``worker.py`` runs the loop,
``migrations.py`` drives Alembic per handler, ``cli.py`` adds the
commands.  See docs/consumers.md.
"""
