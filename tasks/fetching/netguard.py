"""Fetches never reach internal addresses: the check sits where the socket is opened.

A public feed can list (or redirect to) ``http://169.254.169.254/`` or ``http://localhost:8080``;
fetching it would store the cloud metadata or an internal service where analysts read it. A
check on the URL's host name is not enough (any name can resolve to 10.0.0.5, and resolve
differently a second later), so the name is resolved once, every address is judged, and the
connection is made to exactly the addresses that were judged. The host a source is configured
on may be internal (intranet feeds, tests on 127.0.0.1); with ``allow_private_network`` every
host may. Requests sent through an HTTP proxy are resolved by the proxy and are not checked.

The same connections bound the wait for a response's headers (``header_timeout``), which only
the connection can do: no socket timeout catches a server that sends a header byte now and then.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection

Resolver = Callable[[str, int], list[str]]
# The first test that matches names the address: loopback before "private", and so on.
KINDS: tuple[tuple[str, str], ...] = (
    ("is_unspecified", "unspecified"),
    ("is_loopback", "loopback"),
    ("is_link_local", "link-local"),
    ("is_multicast", "multicast"),
    ("is_reserved", "reserved"),
    ("is_private", "private"),
)


class HeadersTooSlow(Exception):
    """The server sent no complete headers within the connection's ``header_timeout``.

    Not an ``OSError`` either: it reaches the fetcher as is, so it is not taken for a
    read timeout (which is retried) or for a response whose headers ended there.
    """


class AddressRefused(Exception):
    """A host resolved to an address fetches may not reach; raised before connecting.

    Not an ``OSError``, so urllib3 neither wraps nor retries it: it reaches the fetcher as is.
    """


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def forbidden_kind(address: str) -> str | None:
    """What makes ``address`` internal (``loopback``, ``private``, ...), or None if public.

    An IPv4-mapped IPv6 address (``::ffff:127.0.0.1``) is judged as the IPv4 address it is.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for test, kind in KINDS:
        if getattr(ip, test):
            return kind
    return None if ip.is_global else "not public"


@dataclass(frozen=True)
class NetworkPolicy:
    """Where one source's fetches may connect: public addresses, plus its own host's."""

    resolver: Resolver = system_resolver
    trusted_host: str | None = None
    allow_private: bool = False

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for ``host``; ``AddressRefused`` if any is internal."""
        addresses = self.resolver(host, port)
        if self.allow_private or host.lower() == (self.trusted_host or "").lower():
            return addresses
        for address in addresses:
            kind = forbidden_kind(address)
            if kind:
                named = address if host == address else f"{host} resolves to {address}"
                raise AddressRefused(
                    f"{named}, a {kind} address; only the source's own host may be internal "
                    "unless the source sets allow_private_network"
                )
        return addresses


class _GuardedConnection(HTTPConnection):
    """Connects only to addresses its policy accepted (TLS still verifies the host name), and
    gives the server ``header_timeout`` seconds from the request to the end of its headers."""

    def __init__(
        self,
        *args: Any,
        network_policy: NetworkPolicy,
        header_timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._policy = network_policy
        self._header_timeout = header_timeout

    def getresponse(self) -> Any:  # urllib3's HTTPResponse
        """The response once its headers are in, or ``HeadersTooSlow``.

        The read timeout bounds each wait for a byte, so a server sending a header byte now
        and then would hold the request for days; past ``header_timeout`` the socket is shut
        down, which wakes the blocked read.
        """
        if self._header_timeout is None:
            return super().getresponse()
        late = threading.Event()
        timer = threading.Timer(self._header_timeout, self._cut_off, args=(late,))
        timer.daemon = True
        timer.start()
        try:
            response = super().getresponse()
        except Exception:
            if not late.is_set():
                raise
            response = None
        finally:
            timer.cancel()
        if late.is_set():
            raise HeadersTooSlow(
                f"no complete headers within total_timeout ({self._header_timeout:g} s)"
            )
        return response

    def _cut_off(self, late: threading.Event) -> None:
        late.set()
        with suppress(OSError, AttributeError):  # already closed, or never opened
            socket.socket.shutdown(self.sock, socket.SHUT_RDWR)  # under TLS too

    def _new_conn(self) -> socket.socket:
        try:
            addresses = self._policy.addresses(self._dns_host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        failure: OSError | None = None
        for address in addresses:
            try:
                return connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from exc
            except OSError as exc:
                failure = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}")


class _GuardedHTTPSConnection(_GuardedConnection, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """A requests adapter for one policy: mount it on a session for http:// and https://."""

    def __init__(self, network_policy: NetworkPolicy, header_timeout: float | None = None) -> None:
        # before super().__init__, which builds the pool manager
        self._policy, self._header_timeout = network_policy, header_timeout
        super().__init__()

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        self._pool_connections, self._pool_maxsize, self._pool_block = connections, maxsize, block
        self.poolmanager = _GuardedPoolManager(
            num_pools=connections,
            maxsize=maxsize,
            block=block,
            network_policy=self._policy,
            header_timeout=self._header_timeout,
            **pool_kwargs,
        )


class _GuardedPoolManager(PoolManager):
    """A urllib3 pool manager whose every connection goes through ``policy``."""

    def __init__(
        self,
        *args: Any,
        network_policy: NetworkPolicy,
        header_timeout: float | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
        self._policy = network_policy
        self._header_timeout = header_timeout

    def _new_pool(self, scheme: str, host: str, port: int, request_context: Any = None) -> Any:
        pool = super()._new_pool(scheme, host, port, request_context)
        pool.conn_kw["network_policy"] = self._policy
        pool.conn_kw["header_timeout"] = self._header_timeout
        return pool
