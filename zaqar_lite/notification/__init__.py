"""Notifications: posted messages pushed to subscribers, durably.

``notifier.py`` (the message-pipeline stage and confirmations) writes
pending deliveries to ``outbox.py`` (an internal queue of the same store);
``delivery.py`` (the worker) sends them through a task plugin per
subscriber scheme (``tasks/``), retrying by ``retry.py``; ``egress.py``
keeps webhooks off private networks.  See docs/notifications.md.
"""
