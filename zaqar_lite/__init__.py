"""zaqar-lite: a multi-tenant queuing and notification service speaking the
OpenStack Zaqar v2 API."""

__version__ = '0.1.0'
