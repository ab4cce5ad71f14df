"""[cors]: cross-origin requests from browsers (oslo.middleware's CORS).

Off until ``allowed_origin`` names an origin.  The defaults let browsers
send Zaqar's headers and read ``Location``.
"""

from oslo_middleware import cors

GROUP = 'cors'

ALLOW_HEADERS = ['Content-Type', 'Client-ID', 'X-Project-ID', 'X-Auth-Token',
                 'URL-Signature', 'URL-Expires', 'URL-Methods', 'URL-Paths']
EXPOSE_HEADERS = ['Location', 'x-openstack-request-id']
ALLOW_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

cors.set_defaults(allow_headers=ALLOW_HEADERS, expose_headers=EXPOSE_HEADERS,
                  allow_methods=ALLOW_METHODS)
OPTS = cors.CORS_OPTS


def list_opts():
    return [(GROUP, OPTS)]
