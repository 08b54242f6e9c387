"""Finding article links in feeds, sitemaps and index pages.

Parsers take the bytes of a listing and the URL it came from and never touch the network, so
each can be tested on a saved file. XML is parsed strictly with lxml (no entities, no network):
a feed URL that starts serving an HTML error page or a truncated document should show up as a
reject an operator can see, not as a quiet run with zero links. A listing that declares entities
(an external file, a billion laughs) is read with each declared empty, beside a reject saying
what was refused: its links still load and someone hears that it tried. Elements are matched by
local name because real sitemaps and feeds get their namespaces wrong often enough to matter.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup
from lxml import etree
from soupsieve import SelectorSyntaxError

from config.sources import Source
from tasks.records import Link, Reject

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass(frozen=True)
class Listing:
    """What one listing document gave: article links, child sitemaps to read next, rejects."""

    links: tuple[Link, ...] = ()
    sitemaps: tuple[Link, ...] = ()  # listed_date holds the child's <lastmod>
    rejects: tuple[Reject, ...] = ()


def parse_listing(source: Source, body: bytes, base_url: str) -> Listing:
    """Dispatch on the source kind (archives have no listing documents)."""
    if source.kind == "feed":
        return parse_feed(body, base_url, source.id)
    if source.kind == "sitemap":
        return parse_sitemap(body, base_url, source.id)
    if source.kind == "html_index":
        return parse_html_index(body, base_url, source.id, source.link_selector or "a")
    raise ValueError(f"source kind {source.kind!r} has no listing to parse")


def parse_feed(body: bytes, base_url: str, source_id: str) -> Listing:
    """Links from RSS 2.0, RSS 1.0 (RDF) or Atom, detected from the root element."""
    root, rejects = _read_xml(body, base_url, source_id)
    if root is None:
        return Listing(rejects=rejects)
    kind = _local(root)
    if kind == "feed":
        entries = [_atom_link(entry, base_url, source_id) for entry in _children(root, "entry")]
    elif kind in ("rss", "RDF"):
        entries = [_rss_link(item, base_url, source_id) for item in root.iter("{*}item")]
    else:
        detail = f"root element is <{kind}>"
        return Listing(rejects=(*rejects, _reject("not_a_feed", source_id, base_url, detail)))
    return Listing(links=tuple(link for link in entries if link is not None), rejects=rejects)


def parse_sitemap(body: bytes, base_url: str, source_id: str) -> Listing:
    """Article links from a urlset (Google News tags read), or child sitemaps from an index."""
    if body[:2] == b"\x1f\x8b":
        inflated = _gunzip(body)
        if isinstance(inflated, str):
            return _rejected("bad_gzip", source_id, base_url, inflated)
        body = inflated
    root, rejects = _read_xml(body, base_url, source_id)
    if root is None:
        return Listing(rejects=rejects)
    kind = _local(root)
    if kind == "sitemapindex":
        children = _sitemap_entries(root, "sitemap", base_url, source_id)
        return Listing(sitemaps=children, rejects=rejects)
    if kind != "urlset":
        detail = f"root element is <{kind}>"
        return Listing(rejects=(*rejects, _reject("not_a_sitemap", source_id, base_url, detail)))
    return Listing(links=_sitemap_entries(root, "url", base_url, source_id), rejects=rejects)


def parse_html_index(body: bytes, base_url: str, source_id: str, link_selector: str) -> Listing:
    """Links under the elements ``link_selector`` matches, resolved against <base> or the URL."""
    soup = BeautifulSoup(body, "lxml")
    base_tag = soup.find("base", href=True)
    base = urljoin(base_url, str(base_tag["href"])) if base_tag else base_url
    try:
        matches = soup.select(link_selector)
    except SelectorSyntaxError as exc:
        return _rejected("bad_selector", source_id, base_url, f"{link_selector!r}: {exc}"[:300])
    if not matches:
        detail = f"{link_selector!r} matched nothing; has the page layout changed?"
        return _rejected("selector_matched_nothing", source_id, base_url, detail)
    links = []
    for element in matches:
        anchor = element if element.name == "a" else element.find("a", href=True)
        if anchor is None or not anchor.get("href"):
            continue
        title = anchor.get_text(" ", strip=True) or None
        if link := _link(str(anchor["href"]), base, source_id, title=title):
            links.append(link)
    return Listing(links=tuple(links))


BARE_AMPERSAND = re.compile(rb"&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
# A DOCTYPE's internal subset: comments, quoted values (which may hold "]" or ">") and the rest.
# Each byte can be read only one way, so a hostile unterminated subset cannot make it backtrack.
DOCTYPE_SUBSET = re.compile(
    rb"<!DOCTYPE\s[^\[>]*\["
    rb"((?:<!--(?:[^-]|-(?!->))*-->|\"[^\"]*\"|'[^']*'|<(?!!--)|[^\]\"'<])*)"
    rb"\]\s*>"
)
ENTITY_DECLARATION = re.compile(rb"<!ENTITY\s+(%\s*)?([^\s\"'>]+)\s+(SYSTEM|PUBLIC)?")
ELEMENT_START = re.compile(rb"<[A-Za-z_:]")
NAMES_SHOWN = 5


def _read_xml(
    body: bytes, base_url: str, source_id: str
) -> tuple[etree._Element | None, tuple[Reject, ...]]:
    """The root element (None if the bytes are not XML) and the rejects reading it gave."""
    body, refused = _without_entities(body)
    rejects = (_reject("unsafe_xml", source_id, base_url, refused),) if refused else ()
    root = _parse_xml(body)
    if isinstance(root, str):
        return None, (*rejects, _reject("not_xml", source_id, base_url, root))
    return root, rejects


def _without_entities(body: bytes) -> tuple[bytes, str | None]:
    """``body`` with every entity its DOCTYPE declares made empty, and what that refused.

    lxml never resolves entities here, but it still refuses a whole document that would expand
    too far; emptying the declarations lets the listing's links through either way.
    """
    doctype = DOCTYPE_SUBSET.search(body)
    if doctype is None or ELEMENT_START.search(body, 0, doctype.start()):
        return body, None  # no internal subset, or "<!DOCTYPE" in the text of an element
    declared = ENTITY_DECLARATION.findall(doctype.group(1))
    if not declared:
        return body, None
    general = dict.fromkeys(name for percent, name, _ in declared if not percent)
    emptied = b"".join(b'<!ENTITY %s "">' % name for name in general)
    start, end = doctype.span(1)
    return body[:start] + emptied + body[end:], _refusal(declared)


def _refusal(declared: list[tuple[bytes, bytes, bytes]]) -> str:
    """Which entities were refused, external (a file, a URL) and internal (expansion) apart."""
    external = [_entity_name(p, name) for p, name, system in declared if system]
    internal = [_entity_name(p, name) for p, name, system in declared if not system]
    parts = [f"external entity refused: {_some(external)}"] if external else []
    parts += [f"entity expansion refused: {_some(internal)}"] if internal else []
    return "; ".join(parts) + "; read with every declared entity empty"


def _entity_name(percent: bytes, name: bytes) -> str:
    """``name``, or ``%name`` for a parameter entity."""
    return ("%" if percent else "") + name.decode("utf-8", "replace")


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def _parse_xml(body: bytes) -> etree._Element | str:
    """The root element, or why the bytes are not XML (entities and network access refused).

    Real feeds are often not quite well-formed, a bare ``&`` in a link being the classic; such
    a document is read again with those ampersands escaped, so the URLs come out intact.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        escaped = BARE_AMPERSAND.sub(b"&amp;", body)
        if escaped == body:
            return f"not well-formed XML: {exc}"[:300]
        return _parse_xml(escaped)
    if root is None:
        return "empty document"
    return root


def _rss_link(item: etree._Element, base_url: str, source_id: str) -> Link | None:
    """<link>, else a permalink <guid>; the date from <pubDate> or Dublin Core <dc:date>."""
    href = _text(item, "link")
    guid = item.find("{*}guid")
    if not href and guid is not None and guid.get("isPermaLink", "true").lower() != "false":
        href = (guid.text or "").strip()
    date = _text(item, "pubDate") or _text(item, "date")
    return _link(href, base_url, source_id, date=date, title=_text(item, "title"))


def _atom_link(entry: etree._Element, base_url: str, source_id: str) -> Link | None:
    """The rel=alternate link (the default rel) resolved against any xml:base in scope."""
    links = _children(entry, "link")
    alternate = [node for node in links if node.get("rel", "alternate") == "alternate"]
    chosen = (alternate or links or [None])[0]
    if chosen is None:
        return None
    base = _xml_base(entry, base_url)
    date = _text(entry, "published") or _text(entry, "updated")
    title_node = entry.find("{*}title")
    title = " ".join(title_node.itertext()).strip() or None if title_node is not None else None
    return _link(chosen.get("href", ""), base, source_id, date=date, title=title)


def _sitemap_entries(
    root: etree._Element, name: str, base_url: str, source_id: str
) -> tuple[Link, ...]:
    entries = (_sitemap_entry(node, base_url, source_id) for node in _children(root, name))
    return tuple(entry for entry in entries if entry is not None)


def _sitemap_entry(node: etree._Element, base_url: str, source_id: str) -> Link | None:
    """A <url> or <sitemap> entry; Google News' publication date beats <lastmod>."""
    news = node.find("{*}news")
    date = _text(news, "publication_date") if news is not None else None
    title = _text(news, "title") if news is not None else None
    return _link(
        _text(node, "loc"), base_url, source_id, date=date or _text(node, "lastmod"), title=title
    )


def _link(
    href: str | None,
    base_url: str,
    source_id: str,
    *,
    date: str | None = None,
    title: str | None = None,
) -> Link | None:
    """An absolute http(s) link without fragment; anything else (mailto:, javascript:) is None."""
    if not href or not href.strip():
        return None
    try:
        url = urldefrag(urljoin(base_url, href.strip())).url
        parts = urlsplit(url)
    except ValueError:  # e.g. "http://[" : one malformed link must not sink the listing
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return Link(url=url, source_id=source_id, listed_date=date, listed_title=title)


def _xml_base(element: etree._Element, base_url: str) -> str:
    """Apply xml:base from the outermost ancestor inward, as Atom feeds expect."""
    bases = [node.get(XML_BASE) for node in [*reversed(list(element.iterancestors())), element]]
    for base in bases:
        if base:
            base_url = urljoin(base_url, base)
    return base_url


def _gunzip(body: bytes) -> bytes | str:
    """A .xml.gz sitemap decompressed, or why not; bounded so a gzip bomb stops at the limit."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        inflated = inflater.decompress(body, MAX_SITEMAP_BYTES)
    except zlib.error as exc:
        return f"cannot decompress: {exc}"
    if inflater.unconsumed_tail:
        return f"larger than {MAX_SITEMAP_BYTES} bytes uncompressed"
    if not inflater.eof:
        return "truncated gzip stream"
    return inflated


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return element.findall(f"{{*}}{name}")


def _text(element: etree._Element | None, name: str) -> str | None:
    """The first non-empty text of a child called ``name`` in any namespace.

    Skipping empty ones matters: RSS items often carry an empty ``<atom:link/>`` before their
    real ``<link>``.
    """
    if element is None:
        return None
    for child in element.iterfind(f"{{*}}{name}"):
        if child.text and child.text.strip():
            return child.text.strip()
    return None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _rejected(reason: str, source_id: str, url: str, detail: str) -> Listing:
    return Listing(rejects=(_reject(reason, source_id, url, detail),))


def _reject(reason: str, source_id: str, url: str, detail: str) -> Reject:
    return Reject("discover", reason, source_id, url, detail)
