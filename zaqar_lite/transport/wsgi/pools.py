"""Admin API: /v2/pools and /v2/flavors (only with ``admin_mode``).

A pool's URI is checked by building a driver for it, apart from the
server's own configuration, before anything is stored.  A pool that still
holds queues, or belongs to a flavor, cannot be deleted.  A flavor's
capabilities are what every one of its pools' drivers offers.
"""

import falcon

from zaqar_lite import errors, plugins
from zaqar_lite.storage.pooling.catalog import build_driver, driver_name
from zaqar_lite.storage.utils import page
from zaqar_lite.transport.validation import is_int
from zaqar_lite.transport.wsgi import utils

MAX_BODY = 64 * 1024
POOL_FIELDS = ('weight', 'uri', 'flavor', 'options')


class AdminResource:
    """Admin resources act on no project's data; with Keystone they need
    the admin role."""

    project_scoped = False
    admin_only = True

    def __init__(self, control, limits):
        self.control = control
        self.limits = limits

    @staticmethod
    def read(req):
        raw, length = utils.read_raw(req, MAX_BODY)
        if length > MAX_BODY:
            raise errors.ValidationError(f'The document is too large. Max '
                                         f'size: {MAX_BODY}')
        document = utils.parse_json(raw) if raw.strip() else {}
        if not isinstance(document, dict):
            raise utils.document_type_error()
        return document

    def limit(self, req, option):
        limit = utils.int_param(req, 'limit')
        high = self.limits[option]
        if limit is not None and not 0 < limit <= high:
            raise errors.ValidationError(
                f'Limit must be at least 1 and no greater than {high}.')
        return limit or 10


def check_pool_fields(document, required):
    missing = [field for field in required if field not in document]
    if missing:
        raise errors.ValidationError(
            f'Missing {", ".join(missing)} in the pool document.')
    if 'weight' in document and (not is_int(document['weight'])
                                 or document['weight'] < 0):
        raise errors.ValidationError('weight must be an integer of at '
                                     'least 0.')
    if 'uri' in document and (not isinstance(document['uri'], str)
                              or not document['uri']):
        raise errors.ValidationError('uri must be a non-empty string.')
    if 'options' in document and not isinstance(document['options'], dict):
        raise errors.ValidationError('options must be a dict.')
    flavor = document.get('flavor')
    if flavor is not None and not isinstance(flavor, str):
        raise errors.ValidationError('flavor must be a string.')


def check_reachable(uri, options):
    """Build a driver for the pool, apart from the server's own stores."""
    driver_name(uri)
    try:
        driver = build_driver(uri, options, 'the new pool')
    except errors.ConfigurationError as exc:
        raise errors.ValidationError(
            f'The pool at {uri} cannot be used: {exc}') from None
    try:
        if not driver.is_alive():
            raise errors.ValidationError(f'The pool at {uri} does not '
                                         'answer.')
    finally:
        driver.close()


def present_pool(pool):
    return {**pool, 'href': f'/v2/pools/{pool["name"]}'}


class Pools(AdminResource):
    """GET /v2/pools."""

    def on_get(self, req, resp):
        detailed = utils.bool_param(req, 'detailed')
        pools, marker = page(self.control.pools_controller.list(
            marker=req.get_param('marker'),
            limit=self.limit(req, 'max_pools_per_page'), detailed=detailed))
        body = {'pools': [present_pool(pool) for pool in pools], 'links': []}
        if pools:
            query = {**req.params, 'marker': marker}
            body['links'] = [{'rel': 'next', 'href': '/v2/pools' +
                              falcon.to_query_str(query)}]
        resp.media = body


class Pool(AdminResource):
    """PUT, GET, PATCH, DELETE /v2/pools/{pool_name}."""

    def on_put(self, req, resp, pool_name):
        document = self.read(req)
        check_pool_fields(document, ('weight', 'uri'))
        self._check_flavor(document.get('flavor'))
        check_reachable(document['uri'], document.get('options'))
        self.control.pools_controller.create(
            pool_name, document['weight'], document['uri'],
            flavor=document.get('flavor'), options=document.get('options'))
        resp.status = falcon.HTTP_201
        resp.location = req.path

    def on_get(self, req, resp, pool_name):
        resp.media = present_pool(self.control.pools_controller.get(
            pool_name, detailed=utils.bool_param(req, 'detailed')))

    def on_patch(self, req, resp, pool_name):
        document = self.read(req)
        changes = {key: document[key] for key in POOL_FIELDS
                   if key in document}
        if not changes:
            raise errors.ValidationError(
                'One of `uri`, `weight`, `flavor`, or `options` needs to be '
                'specified')
        check_pool_fields(changes, ())
        self._check_flavor(changes.get('flavor'))
        pools = self.control.pools_controller
        current = pools.get(pool_name, detailed=True)
        if 'uri' in changes or 'options' in changes:
            check_reachable(changes.get('uri', current['uri']),
                            changes.get('options', current['options']))
        pools.update(pool_name, **changes)
        resp.media = present_pool(pools.get(pool_name, detailed=True))

    def on_delete(self, req, resp, pool_name):
        pools = self.control.pools_controller
        try:
            pool = pools.get(pool_name)
        except errors.PoolDoesNotExist:
            resp.status = falcon.HTTP_204
            return
        queues = self.control.catalogue_controller.count(pool_name)
        if queues:
            raise errors.PoolInUse(
                f'Pool {pool_name} still holds {queues} queues; delete them '
                'first.')
        if pool['flavor']:
            raise errors.PoolInUse(
                f'Pool {pool_name} belongs to flavor {pool["flavor"]}; take '
                'it out of the flavor first.')
        pools.delete(pool_name)
        resp.status = falcon.HTTP_204

    def _check_flavor(self, flavor):
        if flavor and not self.control.flavors_controller.exists(flavor):
            raise errors.ValidationError(f'Flavor {flavor} does not exist.')


class Flavors(AdminResource):
    """GET /v2/flavors."""

    def on_get(self, req, resp):
        flavors, marker = page(self.control.flavors_controller.list(
            marker=req.get_param('marker'),
            limit=self.limit(req, 'max_flavors_per_page')))
        body = {'flavors': [present_flavor(self.control, flavor)
                            for flavor in flavors], 'links': []}
        if flavors:
            query = {**req.params, 'marker': marker}
            body['links'] = [{'rel': 'next', 'href': '/v2/flavors' +
                              falcon.to_query_str(query)}]
        resp.media = body


def flavor_pools(control, name) -> list:
    listing = control.pools_controller.list(limit=1000, flavor=name)
    return [pool['name'] for pool in next(listing)]


def present_flavor(control, flavor):
    pools = flavor_pools(control, flavor['name'])
    sets = []
    for name in pools:
        uri = control.pools_controller.get(name)['uri']
        sets.append(set(_capabilities(uri)))
    return {'name': flavor['name'], 'href': f'/v2/flavors/{flavor["name"]}',
            'pool_list': pools,
            'capabilities': sorted(set.intersection(*sets)) if sets else []}


def _capabilities(uri):
    driver_class = plugins.plugin_class(plugins.DATA_DRIVERS,
                                        driver_name(uri))
    return driver_class.BASE_CAPABILITIES if driver_class else ()


class Flavor(AdminResource):
    """PUT, GET, PATCH, DELETE /v2/flavors/{flavor_name}."""

    def on_put(self, req, resp, flavor_name):
        document = self.read(req)
        pools = self._pool_list(document, required=True)
        capabilities = document.get('capabilities') or {}
        if not isinstance(capabilities, dict):
            raise errors.ValidationError('capabilities must be a dict.')
        self.control.flavors_controller.create(flavor_name, capabilities)
        self._assign(flavor_name, pools)
        resp.status = falcon.HTTP_201
        resp.location = req.path

    def on_get(self, req, resp, flavor_name):
        resp.media = present_flavor(
            self.control, self.control.flavors_controller.get(flavor_name))

    def on_patch(self, req, resp, flavor_name):
        document = self.read(req)
        flavor = self.control.flavors_controller.get(flavor_name)
        if 'pool_list' not in document and 'capabilities' not in document:
            raise errors.ValidationError(
                'One of `pool_list` or `capabilities` needs to be specified')
        if 'pool_list' in document:
            self._assign(flavor_name, self._pool_list(document, True))
        if 'capabilities' in document:
            self.control.flavors_controller.update(
                flavor_name, document['capabilities'])
        resp.media = present_flavor(self.control, flavor)

    def on_delete(self, req, resp, flavor_name):
        self.control.flavors_controller.delete(flavor_name)
        resp.status = falcon.HTTP_204

    def _pool_list(self, document, required):
        pools = document.get('pool_list')
        if pools is None and not required:
            return None
        if not isinstance(pools, list) or not pools or \
                not all(isinstance(name, str) for name in pools):
            raise errors.ValidationError(
                'pool_list must be a non-empty list of pool names.')
        missing = [name for name in pools
                   if not self.control.pools_controller.exists(name)]
        if missing:
            raise errors.ValidationError(f'No such pools: {missing}.')
        return pools

    def _assign(self, flavor_name, pools):
        controller = self.control.pools_controller
        for name in flavor_pools(self.control, flavor_name):
            if name not in pools:
                controller.update(name, flavor=None)
        for name in pools:
            controller.update(name, flavor=flavor_name)
