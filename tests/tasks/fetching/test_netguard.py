"""Which addresses a fetch may connect to: a pure policy over resolved addresses, no packets."""

import socket

import pytest

from tasks.fetching.netguard import AddressRefused, NetworkPolicy, forbidden_kind


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not public"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1%eth0", "link-local"),
        ("fd00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:10.0.0.5", "private"),
    ],
)
def test_internal_addresses_are_forbidden_and_named_by_kind(address, kind):
    assert forbidden_kind(address) == kind


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_are_allowed(address):
    assert forbidden_kind(address) is None


def resolving(table: dict[str, list[str]]):
    """A resolver that answers from a table: these tests never ask a DNS server anything."""

    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise socket.gaierror(f"unknown test host {host}")
        return table[host]

    return resolve


def test_a_name_that_resolves_to_the_metadata_address_is_refused_naming_it():
    policy = NetworkPolicy(resolving({"feed.example": ["169.254.169.254"]}))
    with pytest.raises(
        AddressRefused, match=r"feed\.example resolves to 169\.254\.169\.254, a link-local"
    ):
        policy.addresses("feed.example", 80)


def test_a_name_with_one_internal_address_among_public_ones_is_refused():
    policy = NetworkPolicy(resolving({"mixed.example": ["8.8.8.8", "10.0.0.5"]}))
    with pytest.raises(AddressRefused, match=r"10\.0\.0\.5, a private address"):
        policy.addresses("mixed.example", 443)


def test_public_names_resolve_to_their_addresses():
    policy = NetworkPolicy(resolving({"news.example": ["8.8.8.8", "2606:4700:4700::1111"]}))
    assert policy.addresses("news.example", 443) == ["8.8.8.8", "2606:4700:4700::1111"]


def test_the_sources_own_host_may_be_internal_but_other_hosts_may_not():
    table = {"intranet.corp": ["10.1.2.3"], "other.corp": ["10.9.9.9"]}
    policy = NetworkPolicy(resolving(table), trusted_host="intranet.corp")
    assert policy.addresses("intranet.corp", 80) == ["10.1.2.3"]
    with pytest.raises(AddressRefused):
        policy.addresses("other.corp", 80)


def test_a_source_that_allows_the_private_network_reaches_any_address():
    policy = NetworkPolicy(resolving({"x.corp": ["169.254.169.254"]}), allow_private=True)
    assert policy.addresses("x.corp", 80) == ["169.254.169.254"]
