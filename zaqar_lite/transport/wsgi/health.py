"""Liveness: /v2/ping for anyone, /v2/health for operators (admin mode)."""

import falcon


class Ping:
    """GET and HEAD /v2/ping: 204 when storage answers, else 503."""

    project_scoped = False

    def __init__(self, driver):
        self.driver = driver

    def on_get(self, req, resp):
        resp.status = (falcon.HTTP_204 if self.driver.is_alive()
                       else falcon.HTTP_503)

    on_head = on_get


class Health:
    """GET /v2/health: the storage engine's status, and the long-poll
    claims waiting in the process that answers (admin mode only).

    Args:
        driver: the data driver.
        waiter: the ``transport.longpoll.ClaimWaiter`` of this app.
    """

    project_scoped = False
    admin_only = True

    def __init__(self, driver, waiter):
        self.driver = driver
        self.waiter = waiter

    def on_get(self, req, resp):
        resp.media = {**self.driver.health(),
                      'waiting_claims': {'waiting': self.waiter.waiting,
                                         'max': self.waiter.max_waiting}}

    def on_head(self, req, resp):
        resp.status = (falcon.HTTP_204 if self.driver.is_alive()
                       else falcon.HTTP_503)
