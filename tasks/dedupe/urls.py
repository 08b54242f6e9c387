"""One canonical URL per article, so tracking links, AMP and mobile copies are one row.

The canonical URL is an identity key, not a link to click (``articles.url`` keeps the page as it
was fetched): ``www.``, ``m.``, ``mobile.`` and ``amp.`` hosts all become the bare site name,
because no rule can tell which one a site serves its desktop page from. Query parameters are
kept unless they are known tracking or AMP switches: some sites carry the article id there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import yaml
from tld import get_fld

WEB_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class UrlRules:
    """What ``config/url_rules.yaml`` says is noise in a URL."""

    tracking_parameters: frozenset[str]
    tracking_prefixes: tuple[str, ...]
    amp_parameters: dict[str, frozenset[str]]
    mirror_host_labels: frozenset[str]

    @classmethod
    def load(cls, path: Path) -> UrlRules:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            tracking_parameters=frozenset(p.lower() for p in document["tracking_parameters"]),
            tracking_prefixes=tuple(p.lower() for p in document["tracking_prefixes"]),
            amp_parameters={
                name.lower(): frozenset(str(v).lower() for v in values)
                for name, values in document["amp_parameters"].items()
            },
            mirror_host_labels=frozenset(document["mirror_host_labels"]),
        )

    def is_noise(self, name: str, value: str) -> bool:
        """A parameter that changes who is counted or how the page renders, not which page."""
        key = name.lower()
        return (
            key in self.tracking_parameters
            or key.startswith(self.tracking_prefixes)
            or value.lower() in self.amp_parameters.get(key, ())
        )


def canonical_url(url: str, declared: str | None = None, *, rules: UrlRules) -> str:
    """The page's identity: ``declared`` (rel=canonical) if trustworthy, else ``url``, cleaned.

    A page URL too malformed to parse (a bad port, an unclosed IPv6 bracket) is kept as given,
    so the article is still traceable to what was fetched.
    """
    page = _cleaned(url.strip(), rules)
    if page is None:
        return url.strip()
    if declared is None:
        return page
    return trusted_canonical(declared, page, rules=rules) or page


def trusted_canonical(declared: str, page: str | None = None, *, rules: UrlRules) -> str | None:
    """``declared`` cleaned, if a page may be known by it; None if it cannot be trusted.

    Sites misdeclare: a relative or malformed URL, a canonical on another site than ``page``,
    or the home page in every article's template. Without ``page`` (a saved file has no
    address of its own) the site cannot be compared; the other rules still hold.
    """
    claimed = _cleaned(declared.strip(), rules)
    if claimed is None or not _trustworthy(claimed, page):
        return None
    return claimed


def is_http_url(url: str) -> bool:
    """An absolute http(s) URL; malformed ones (``http://[``) are simply not."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.netloc)


def article_id(canonical: str) -> str:
    """Short stable key: the first 16 hex digits of the SHA-1 of the canonical URL."""
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]


def registered_domain(url: str) -> str | None:
    """The name a site registered (``bbc.co.uk`` for ``m.bbc.co.uk``); None for IPs, localhost."""
    return get_fld(url, fail_silently=True)


def _trustworthy(claimed: str, page: str | None) -> bool:
    parts = urlsplit(claimed)
    if parts.scheme not in WEB_SCHEMES or not parts.hostname:
        return False
    if page is None:
        return parts.path != "/"
    if _site(claimed) != _site(page):
        return False
    return parts.path != "/" or urlsplit(page).path == "/"


def _site(url: str) -> str:
    return registered_domain(url) or urlsplit(url).hostname or ""


def _cleaned(url: str, rules: UrlRules) -> str | None:
    """``url`` without noise; None when it cannot be parsed (bad port, broken brackets)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES or not parts.hostname:
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    netloc = _host(url, parts.hostname, rules)
    if port and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, _desktop_path(parts.path), _query(parts.query, rules), ""))


def _host(url: str, hostname: str, rules: UrlRules) -> str:
    """Lower-case, without mirror labels in front of the registered domain."""
    host = hostname.lower().rstrip(".")
    domain = registered_domain(url)
    while domain and host != domain:
        label, _, rest = host.partition(".")
        if label not in rules.mirror_host_labels:
            break
        host = rest
    return host


def _desktop_path(path: str) -> str:
    """``/amp/x``, ``/x/amp``, ``/x.amp.html`` → ``/x``, ``/x``, ``/x.html``."""
    segments = [s for s in path.split("/") if s.lower() != "amp"]
    if segments and segments[-1].lower().endswith(".amp.html"):
        segments[-1] = segments[-1][: -len(".amp.html")] + ".html"
    cleaned = "/".join(segments)
    if path.endswith("/") and not cleaned.endswith("/"):
        cleaned += "/"
    return cleaned if cleaned.startswith("/") else f"/{cleaned}"


def _query(query: str, rules: UrlRules) -> str:
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not rules.is_noise(k, v)]
    return urlencode(sorted(kept))
