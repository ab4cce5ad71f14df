"""Notifications: the notifier stage pushing posted messages to subscribers.

Not available yet (issue 7 builds it, with subscriptions and topics).
"""
