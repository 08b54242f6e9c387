"""Fetches never reach internal addresses, end to end against a server on 127.0.0.1 only.

The source lives on ``news.example``, a public-looking name the test resolver sends to
127.0.0.1, so the server stands for a public site; its pages then link or redirect to
127.0.0.1 itself, which stands for an internal service. No DNS server is ever asked.
"""

import socket

from pytest_httpserver import HTTPServer

from tasks.fetching.fetch import Fetcher
from tests.tasks.pages import SleepLog, fast_settings, web_source

PUBLIC_NAME = "news.example"


def resolver(host: str, port: int) -> list[str]:
    """``news.example`` and ``localhost`` are 127.0.0.1; IP literals are themselves."""
    table = {PUBLIC_NAME: ["127.0.0.1"], "localhost": ["127.0.0.1"]}
    if host in table:
        return table[host]
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
    except OSError:
        raise socket.gaierror(f"the test resolver knows no {host}") from None
    return [host]


def fetcher(tmp_path) -> Fetcher:
    return Fetcher(
        fast_settings(), state_dir=tmp_path / "pacing", sleep=SleepLog(), resolver=resolver
    )


def public_url(web: HTTPServer, path: str) -> str:
    return f"http://{PUBLIC_NAME}:{web.port}{path}"


def public_source(web: HTTPServer, **fields):
    return web_source("feed", public_url(web, "/feed"), allow_private_network=False, **fields)


def requested_paths(web: HTTPServer) -> list[str]:
    return [request.path for request, _ in web.log]


def test_the_sources_own_host_is_fetched_even_though_it_resolves_to_loopback(web, tmp_path):
    web.expect_request("/story").respond_with_data("<p>story</p>")
    outcome = fetcher(tmp_path).fetch(public_url(web, "/story"), public_source(web))
    assert outcome.page is not None and outcome.page.body == b"<p>story</p>"
    assert web.log[-1][0].host == f"{PUBLIC_NAME}:{web.port}"


def test_a_redirect_to_an_internal_address_is_refused_before_connecting(web, tmp_path):
    internal = web.url_for("/internal")  # http://127.0.0.1:port/internal
    web.expect_request("/jump").respond_with_data("", status=302, headers={"Location": internal})
    web.expect_request("/internal").respond_with_data("secret")
    outcome = fetcher(tmp_path).fetch(public_url(web, "/jump"), public_source(web))
    assert outcome.page is None
    assert (outcome.reject.stage, outcome.reject.reason) == ("fetch", "internal_address")
    assert "127.0.0.1, a loopback address" in outcome.reject.detail
    assert "/internal" not in requested_paths(web)
    assert "/robots.txt" in requested_paths(web)  # the public host's, read before /jump


def test_a_listed_link_to_localhost_or_a_mapped_loopback_address_is_refused_without_a_request(
    web, tmp_path
):
    fetch = fetcher(tmp_path)
    for url in (
        f"http://localhost:{web.port}/admin",
        f"http://[::ffff:127.0.0.1]:{web.port}/admin",
    ):
        outcome = fetch.fetch(url, public_source(web))
        assert outcome.reject.reason == "internal_address", url
        assert outcome.record.attempts == 0
    assert requested_paths(web) == []


def test_a_source_that_allows_the_private_network_follows_the_redirect(web, tmp_path):
    web.expect_request("/jump").respond_with_data(
        "", status=302, headers={"Location": web.url_for("/internal")}
    )
    web.expect_request("/internal").respond_with_data("intranet page")
    source = web_source("feed", public_url(web, "/feed"), allow_private_network=True)
    outcome = fetcher(tmp_path).fetch(public_url(web, "/jump"), source)
    assert outcome.page is not None and outcome.page.body == b"intranet page"
