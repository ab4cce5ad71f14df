"""Notification tasks: one plugin per subscriber URI scheme.

Tasks are loaded with stevedore from the entry-point group
``zaqar_lite.notification.tasks`` (``http``, ``https`` and ``mailto`` ship
with zaqar-lite); a new push protocol is a package that registers a class
there.  See :class:`zaqar_lite.notification.tasks.base.Task`.
"""
