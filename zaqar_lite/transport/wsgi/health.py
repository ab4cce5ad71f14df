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
    """GET /v2/health: the storage engine's status (admin mode only)."""

    project_scoped = False
    admin_only = True

    def __init__(self, driver):
        self.driver = driver

    def on_get(self, req, resp):
        resp.media = self.driver.health()

    def on_head(self, req, resp):
        resp.status = (falcon.HTTP_204 if self.driver.is_alive()
                       else falcon.HTTP_503)
