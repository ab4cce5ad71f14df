"""Where webhooks may go: public addresses, plus networks an operator allows.

A webhook could otherwise make the server call its own loopback services,
the cloud's metadata address or hosts on private networks (SSRF).  The
subscriber's host is checked when a subscription is made (a clear 400) and
again on every delivery, on the address the socket actually connected to,
so a DNS answer that changes between the check and the connection (DNS
rebinding) gains nothing.  Redirects are not followed and proxies from the
environment are not used.
"""

import ipaddress
import socket

import requests
import requests.adapters
from urllib3 import connection, connectionpool

NAT64 = ipaddress.ip_network('64:ff9b::/96')
SIX_TO_FOUR = ipaddress.ip_network('2002::/16')


class EgressRefused(Exception):
    """The destination is not one webhooks may reach; the text says why."""


def _embedded_ipv4(address):
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4)."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.ip_address(int(address) & 0xFFFFFFFF)
    if address in SIX_TO_FOUR:
        return ipaddress.ip_address((int(address) >> 80) & 0xFFFFFFFF)
    return None


def kind_of(address) -> str | None:
    """Why ``address`` is not public ('loopback', 'private', ...), or None."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return kind_of(embedded)
    for attribute in ('loopback', 'link_local', 'multicast', 'unspecified',
                      'reserved', 'private'):
        if getattr(address, f'is_{attribute}'):
            return attribute.replace('_', '-')
    if not address.is_global:
        return 'non-public'
    return None


class EgressPolicy:
    """Public destinations plus ``allowed_networks``.

    Args:
        allowed_networks: CIDR strings an operator allows although they
            are not public (e.g. ``127.0.0.0/8`` in tests).
    """

    def __init__(self, allowed_networks=()):
        self.allowed = [ipaddress.ip_network(net.strip(), strict=False)
                        for net in allowed_networks if net.strip()]

    def check_address(self, text) -> None:
        """Raise EgressRefused unless the address may be reached."""
        address = ipaddress.ip_address(text.split('%')[0])
        if any(address in network for network in self.allowed):
            return
        kind = kind_of(address)
        if kind is not None:
            raise EgressRefused(
                f'{address} is a {kind} address; webhooks may only reach '
                'public addresses, or networks listed in [notification] '
                'webhook_allowed_networks')

    def check_host(self, host, port) -> None:
        """Resolve ``host`` and check every address it has.

        Raises:
            EgressRefused: an address is refused, or the name does not
                resolve.
        """
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except (socket.gaierror, UnicodeError) as exc:
            raise EgressRefused(f'{host} cannot be resolved: {exc}') from None
        for info in infos:
            self.check_address(info[4][0])

    def session(self) -> requests.Session:
        """A requests session that connects only where this policy allows."""
        session = requests.Session()
        session.trust_env = False  # no proxies from the environment
        adapter = _GuardedAdapter(self)
        session.mount('http://', adapter)
        session.mount('https://', adapter)
        return session


def _guarded(connection_class, policy):
    class Guarded(connection_class):
        def _new_conn(self):
            sock = super()._new_conn()
            try:
                policy.check_address(sock.getpeername()[0])
            except EgressRefused:
                sock.close()
                raise
            return sock
    return Guarded


class _GuardedAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, policy):
        self.policy = policy
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        policy = self.policy

        class HTTPPool(connectionpool.HTTPConnectionPool):
            ConnectionCls = _guarded(connection.HTTPConnection, policy)

        class HTTPSPool(connectionpool.HTTPSConnectionPool):
            ConnectionCls = _guarded(connection.HTTPSConnection, policy)

        self.poolmanager.pool_classes_by_scheme = {'http': HTTPPool,
                                                   'https': HTTPSPool}
