"""From a raw page to its article text, metadata and every date the page states.

Each page is parsed once: the same lxml tree goes to the date-signal collection, to trafilatura
(body, title, byline) and through trafilatura to htmldate, which both copy it before pruning.
Extraction is trafilatura's, not ours: it scores F1 0.95 on the public extraction benchmark and
is maintained against the web as it changes, which hand-written boilerplate rules are not.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator

import trafilatura
from cssselect import SelectorError
from htmldate import find_date
from lxml.cssselect import CSSSelector
from lxml.etree import ParserError, XPath
from lxml.html import HtmlElement
from trafilatura.settings import Document, set_date_params

from config.settings import Settings
from tasks.records import CleanPage, DateSignal, RawPage, Reject
from tasks.text.charset import decode_html
from tasks.text.pubdate import URL_DATE
from tasks.text.textnorm import normalize_text, word_count

DEFAULT_MIN_WORDS: int = Settings.model_fields["min_body_words"].default
HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
MARKUP = re.compile(r"<\s*(?:html|head|body|div|p|article|title|meta)\b", re.I)
LANGUAGE_TAG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$", re.I)

PUBLISHED_META = frozenset(
    {
        "article:published_time",
        "og:article:published_time",
        "og:published_time",
        "datepublished",
        "pubdate",
        "publishdate",
        "publish-date",
        "publish_date",
        "published_time",
        "published-date",
        "article.published",
        "dc.date.issued",
        "dcterms.issued",
        "dc.date",
        "date",
        "sailthru.date",
        "parsely-pub-date",
        "cxenseparse:recs:publishtime",
        "article_date_original",
        "originalpublicationdate",
    }
)
MODIFIED_META = frozenset(
    {
        "article:modified_time",
        "og:updated_time",
        "datemodified",
        "last-modified",
        "dcterms.modified",
        "article.updated",
        "lastmod",
    }
)
JSON_LD_KINDS = {
    "datePublished": "json_ld",
    "dateCreated": "json_ld",
    "dateModified": "json_ld_modified",
}
META_KEYS = ("property", "name", "itemprop", "http-equiv")
JSON_LD_SCRIPTS = XPath('//script[@type="application/ld+json"]')
ITEMPROP_PUBLISHED = XPath('//*[@itemprop="datePublished"][not(self::meta)]')
TIME_ELEMENTS = XPath(
    "(//time[@datetime][@pubdate or @itemprop='datePublished' or contains(@class, 'publish')]"
    " | //article//time[@datetime])[1] | (//time[@datetime])[1]"
)
DATELINE_ELEMENTS = XPath(
    "//*[not(self::script or self::style or self::time or self::meta)]"
    "[re:test(concat(@class, ' ', @id), 'date|publish|posted|time|dateline', 'i')]",
    namespaces={"re": "http://exslt.org/regular-expressions"},
)
DATELINE_MAX_CHARS = 80
# A clock time followed by its offset, as ISO 8601 and RFC 822 write it: "23:00:00 -0400".
TIME_WITH_OFFSET = re.compile(
    r"\b\d\d:\d\d(?::\d\d(?:\.\d+)?)?\s?(?:GMT|UTC)?(?P<sign>[+-])(?P<h>\d\d):?(?P<m>\d\d)\b"
)
LEAD_IMAGE = XPath(
    "//meta[@property='og:image' or @name='og:image' or @name='twitter:image']/@content"
)
# A label, punctuation, then a short headline: a teaser for another story, not this one's text.
TEASER = re.compile(
    r"^(?:READ MORE|Read more|READ ALSO|Read also|ALSO READ|Also read|RELATED|Related|"
    r"SEE ALSO|See also|MORE|WATCH|Watch)\s*[:|>»–-]\s*(?:\S+\s+){0,20}\S+$"
)
UNWANTED_IN_SELECTED_BODY = XPath(
    ".//script | .//style | .//noscript | .//figcaption | .//nav | .//aside | .//form"
)
BLOCKS_IN_SELECTED_BODY = XPath(".//p | .//h2 | .//h3 | .//h4 | .//li | .//blockquote")


def clean_page(
    page: RawPage,
    *,
    body_selector: str | None = None,
    language_hint: str | None = None,
    min_words: int = DEFAULT_MIN_WORDS,
) -> CleanPage | Reject:
    """Article text and metadata, or a reject naming why the page has no usable article."""
    refused = _refused_bytes(page)
    if refused:
        return refused
    html = decode_html(page.body, page.headers.get("content-type"))
    tree = _parse(html)
    if tree is None:
        return _reject(page, "not_html", "no HTML markup after decoding")
    signals = tuple(date_signals(tree, page.url))  # before anything prunes the tree
    signals += tuple(site_clock(html))
    document = _extracted(tree, page.url)
    signals += tuple(_htmldate_signals(tree, page.url, document.date))
    try:
        body = _selected_body(tree, body_selector) if body_selector else document.text or ""
    except SelectorError as exc:
        return _reject(page, "bad_selector", f"{body_selector!r}: {exc}")
    body = _without_teasers(normalize_text(body))
    if not body:
        reason = "selector_matched_nothing" if body_selector else "no_body"
        return _reject(page, reason, body_selector or "no article text found")
    if word_count(body) < min_words:
        return _reject(page, "too_short", f"{word_count(body)} words < {min_words}")
    return CleanPage(
        url=page.url,
        title=_tidy(document.title) or _tidy(_title_tag(tree)),
        body=body,
        byline=_tidy(document.author),
        language=page_language(tree) or language_hint,
        canonical_url=canonical_url(tree),
        date_signals=signals,
    )


def date_signals(tree: HtmlElement, url: str) -> Iterator[DateSignal]:
    """Every place the page states a date, as written, in the order each kind is found."""
    yield from _json_ld_dates(tree)
    yield from _meta_dates(tree)
    for element in TIME_ELEMENTS(tree):
        yield DateSignal("time", element.get("datetime").strip())
    if URL_DATE.search(url):
        yield DateSignal("url", url)
    dateline = _dateline(tree)
    if dateline:
        yield DateSignal("dateline", dateline)
    lead_images = [image.strip() for image in LEAD_IMAGE(tree) if URL_DATE.search(image)]
    if lead_images:
        yield DateSignal("image_url", lead_images[0])


def site_clock(html: str) -> Iterator[DateSignal]:
    """The UTC offset the site prints its times in: the commonest non-zero one on the page.

    A CMS often stores the publication time in UTC, but the schedules, comments and other
    stories a page also shows are printed on the newsroom's clock; that clock's offset tells
    which day a UTC time just after midnight belonged to where it was published.
    """
    offsets = Counter(
        f"{match['sign']}{match['h']}:{match['m']}"
        for match in TIME_WITH_OFFSET.finditer(html)
        if int(match["h"]) or int(match["m"])
    )
    if offsets:
        yield DateSignal("site_offset", offsets.most_common(1)[0][0])


def page_language(tree: HtmlElement) -> str | None:
    """The language the page declares: <html lang>, Content-Language, then og:locale."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    candidates += tree.xpath(
        "//meta[translate(@http-equiv, 'CONTENTLANGUAGE', 'contentlanguage')='content-language']"
        "/@content | //meta[@property='og:locale']/@content"
    )
    for candidate in candidates:
        match = LANGUAGE_TAG.match((candidate or "").strip().split(",")[0])
        if match:
            return match.group(1).lower()
    return None


def canonical_url(tree: HtmlElement) -> str | None:
    """rel=canonical, else og:url, exactly as the page states it."""
    for value in tree.xpath(
        "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
        " | //meta[@property='og:url']/@content"
    ):
        if value.strip():
            return value.strip()
    return None


def _refused_bytes(page: RawPage) -> Reject | None:
    if not page.body.strip():
        return _reject(page, "empty_body", "")
    content_type = (page.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type and not content_type.startswith(HTML_TYPES):
        return _reject(page, "not_html", content_type)
    head = page.body[:1024]
    if head.startswith(BINARY_MAGIC) or (
        b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    ):
        return _reject(page, "binary", repr(head[:16]))
    return None


def _parse(text: str) -> HtmlElement | None:
    if not MARKUP.search(text[:65536]):
        return None
    try:
        return trafilatura.load_html(text)
    except (ParserError, ValueError, TypeError):
        return None


def _json_ld_dates(tree: HtmlElement) -> Iterator[DateSignal]:
    for script in JSON_LD_SCRIPTS(tree):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        for key, value in _walk(data):
            if key in JSON_LD_KINDS and isinstance(value, str) and value.strip():
                yield DateSignal(JSON_LD_KINDS[key], value.strip())


def _walk(data: object) -> Iterator[tuple[str, object]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(data, list):
        for item in data:
            yield from _walk(item)


def _meta_dates(tree: HtmlElement) -> Iterator[DateSignal]:
    for meta in tree.iter("meta"):
        content = (meta.get("content") or "").strip()
        names = {(meta.get(key) or "").strip().lower() for key in META_KEYS} - {""}
        if content and names & PUBLISHED_META:
            yield DateSignal("meta", content)
        elif content and names & MODIFIED_META:
            yield DateSignal("meta_modified", content)
    for element in ITEMPROP_PUBLISHED(tree):
        value = element.get("content") or element.get("datetime") or element.text_content()
        if value and value.strip():
            yield DateSignal("meta", " ".join(value.split()))


def _dateline(tree: HtmlElement) -> str | None:
    """The first short visible text a template marks as a date (class or id)."""
    for element in DATELINE_ELEMENTS(tree):
        text = " ".join(element.text_content().split())
        if 6 <= len(text) <= DATELINE_MAX_CHARS and any(c.isdigit() for c in text):
            return text
    return None


def _extracted(tree: HtmlElement, url: str) -> Document:
    """trafilatura's body and metadata; htmldate runs inside it on the same tree."""
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # htmldate's markup search only: its search of the text runs apart, as a weaker signal.
        date_extraction_params=set_date_params(extensive=False),
    )
    return document if isinstance(document, Document) else Document()


def _htmldate_signals(tree: HtmlElement, url: str, markup_date: str | None) -> Iterator[DateSignal]:
    """htmldate's date from the page's markup; failing that, its search of the page's text.

    The text search finds any date on the page (today's date in the header, a related story's,
    a copyright line), so it ranks below every date the page states as its own. When it finds
    only a year (a copyright line, most often) it answers 1 January: that is no day at all.
    """
    if markup_date:
        yield DateSignal("htmldate", markup_date)
        return
    found = find_date(tree, url=url, extensive_search=True, original_date=True)
    if found and not found.endswith("-01-01"):
        yield DateSignal("htmldate_text", found)


def _selected_body(tree: HtmlElement, selector: str) -> str:
    """The text of the elements a source's selector names, minus scripts, captions and asides."""
    paragraphs: list[str] = []
    for element in CSSSelector(selector)(tree):
        for unwanted in UNWANTED_IN_SELECTED_BODY(element):
            unwanted.drop_tree()
        blocks = BLOCKS_IN_SELECTED_BODY(element)
        outermost = [b for b in blocks if not any(a in blocks for a in b.iterancestors())]
        paragraphs += [" ".join(b.text_content().split()) for b in outermost or [element]]
    return "\n".join(paragraphs)


def _without_teasers(body: str) -> str:
    """Drop "READ MORE: ..." style links to other stories that extraction keeps as paragraphs."""
    return "\n\n".join(p for p in body.split("\n\n") if not TEASER.match(p))


def _title_tag(tree: HtmlElement) -> str | None:
    titles = tree.xpath("//title/text()")
    return titles[0] if titles else None


def _tidy(text: str | None) -> str | None:
    return " ".join(normalize_text(text).split()) or None if text else None


def _reject(page: RawPage, reason: str, detail: str) -> Reject:
    return Reject("clean", reason, page.source_id, page.url, detail[:300])
