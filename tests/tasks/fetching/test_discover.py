from config.sources import Source
from tasks.fetching.discover import parse_feed, parse_html_index, parse_listing, parse_sitemap
from tests.tasks.pages import gzipped, rss, sitemap_index, urlset

BASE = "https://news.example/section/feed.xml"


def urls(listing) -> list[str]:
    return [link.url for link in listing.links]


def reasons(listing) -> list[str]:
    return [reject.reason for reject in listing.rejects]


def test_rss_items_give_resolved_links_titles_and_raw_dates():
    listing = parse_feed(
        rss(
            ("https://news.example/a", "Strike on depot", "Sun, 04 Oct 2020 09:00:00 GMT"),
            ("/b#comments", "Shelling in Donetsk", "Sat, 03 Oct 2020 18:30:00 +0300"),
        ),
        BASE,
        "src",
    )
    assert urls(listing) == ["https://news.example/a", "https://news.example/b"]
    second = listing.links[1]
    assert (second.source_id, second.listed_title) == ("src", "Shelling in Donetsk")
    assert second.listed_date == "Sat, 03 Oct 2020 18:30:00 +0300"
    assert listing.rejects == ()


def test_rss_item_without_link_uses_its_permalink_guid_and_skips_empty_atom_links():
    feed = b"""<?xml version="1.0"?>
    <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
         xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
      <item><atom:link rel="self"/><guid>https://news.example/guid-1</guid>
            <dc:date>2020-10-04T09:00:00Z</dc:date></item>
      <item><guid isPermaLink="false">tag:news.example,2020:2</guid></item>
    </channel></rss>"""
    listing = parse_feed(feed, BASE, "src")
    assert urls(listing) == ["https://news.example/guid-1"]
    assert listing.links[0].listed_date == "2020-10-04T09:00:00Z"


def test_atom_entries_use_the_alternate_link_resolved_against_xml_base():
    feed = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/world/">
      <title>World</title>
      <entry>
        <title type="html">Ceasefire &amp;amp; talks</title>
        <link rel="self" href="https://api.news.example/1"/>
        <link href="2020/10/ceasefire"/>
        <published>2020-10-04T10:00:00+03:00</published>
        <updated>2020-10-05T10:00:00+03:00</updated>
      </entry>
      <entry><link rel="alternate" href="https://news.example/x"/>
             <updated>2020-10-06T00:00:00Z</updated></entry>
    </feed>"""
    listing = parse_feed(feed, BASE, "src")
    assert urls(listing) == [
        "https://news.example/world/2020/10/ceasefire",
        "https://news.example/x",
    ]
    assert listing.links[0].listed_date == "2020-10-04T10:00:00+03:00"
    assert listing.links[0].listed_title == "Ceasefire &amp; talks"
    assert listing.links[1].listed_date == "2020-10-06T00:00:00Z"


def test_rss_1_rdf_items_are_read():
    feed = b"""<?xml version="1.0"?>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
             xmlns="http://purl.org/rss/1.0/">
      <channel rdf:about="https://news.example/"><title>t</title><link>https://news.example/</link>
      </channel>
      <item rdf:about="https://news.example/r1"><title>R1</title>
        <link>https://news.example/r1</link></item>
    </rdf:RDF>"""
    assert urls(parse_feed(feed, BASE, "src")) == ["https://news.example/r1"]


def test_malformed_link_is_skipped_without_losing_the_rest_of_the_feed():
    feed = rss(("http://[broken", "Bad", "x"), ("https://news.example/ok", "Ok", "x"))
    assert urls(parse_feed(feed, BASE, "src")) == ["https://news.example/ok"]


def test_html_error_page_served_as_a_feed_is_rejected_as_not_xml():
    page = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><hr><p>nginx</body></html>"
    listing = parse_feed(page, BASE, "src")
    assert listing.links == ()
    assert reasons(listing) == ["not_xml"]
    assert listing.rejects[0].stage == "discover" and listing.rejects[0].url == BASE


def test_well_formed_xhtml_served_as_a_feed_is_not_a_feed():
    page = b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Moved</p></body></html>'
    assert reasons(parse_feed(page, BASE, "src")) == ["not_a_feed"]


def test_truncated_feed_is_rejected_as_not_xml():
    assert reasons(parse_feed(rss(("https://news.example/a", "A", "x"))[:-30], BASE, "s")) == [
        "not_xml"
    ]


def test_an_external_entity_in_a_feed_is_never_resolved_and_is_a_reject_beside_its_links(
    tmp_path,
):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    feed = f"""<?xml version="1.0"?>
    <!DOCTYPE rss [<!ENTITY leak SYSTEM "file://{secret}">]>
    <rss version="2.0"><channel><item><title>Leak: &leak;</title>
    <link>https://news.example/a</link></item></channel></rss>""".encode()
    listing = parse_feed(feed, BASE, "src")
    assert [(link.url, link.listed_title) for link in listing.links] == [
        ("https://news.example/a", "Leak:")
    ]
    [reject] = listing.rejects
    assert (reject.stage, reject.reason, reject.url) == ("discover", "unsafe_xml", BASE)
    assert reject.detail.startswith("external entity refused: leak;")
    assert "TOP-SECRET" not in reject.detail


BILLION_LAUGHS = '<!ENTITY e0 "lol">' + "".join(
    f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10)
)


def test_an_entity_bomb_in_a_feed_is_not_expanded_and_its_links_still_load():
    feed = f"""<?xml version="1.0"?><!DOCTYPE rss [{BILLION_LAUGHS}]>
    <rss version="2.0"><channel><item><title>&e9;</title>
    <link>https://news.example/a</link></item></channel></rss>""".encode()
    listing = parse_feed(feed, BASE, "src")
    assert urls(listing) == ["https://news.example/a"]
    assert reasons(listing) == ["unsafe_xml"]
    assert listing.rejects[0].detail.startswith(
        "entity expansion refused: e0, e1, e2, e3, e4 and 5 more;"
    )


def test_an_entity_bomb_in_a_sitemap_is_a_reject_beside_its_links():
    body = urlset(("https://news.example/z", None)).replace(
        b"?>", f"?><!DOCTYPE urlset [{BILLION_LAUGHS}]>".encode(), 1
    )
    listing = parse_sitemap(body, BASE, "src")
    assert (urls(listing), reasons(listing)) == (["https://news.example/z"], ["unsafe_xml"])


def test_a_feed_naming_an_external_dtd_but_declaring_no_entity_is_no_reject():
    feed = rss(("https://news.example/a", "A", "x")).replace(
        b"?>",
        b'?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">',
        1,
    )
    listing = parse_feed(feed, BASE, "src")
    assert (urls(listing), listing.rejects) == (["https://news.example/a"], ())


def test_a_doctype_quoted_inside_an_item_is_text_not_a_declaration():
    feed = rss(("https://news.example/a", "<![CDATA[<!DOCTYPE x [<!ENTITY y 'z'>]>]]>", "x"))
    listing = parse_feed(feed, BASE, "src")
    assert [(link.listed_title, listing.rejects) for link in listing.links] == [
        ("<!DOCTYPE x [<!ENTITY y 'z'>]>", ())
    ]


def test_google_news_sitemap_gives_publication_date_and_title():
    sitemap = b"""<?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
            xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://news.example/n1</loc><lastmod>2020-10-05</lastmod>
        <news:news><news:publication><news:name>N</news:name><news:language>en</news:language>
        </news:publication><news:publication_date>2020-10-04T08:15:00+03:00</news:publication_date>
        <news:title>Drone strike kills two</news:title></news:news></url>
      <url><loc>https://news.example/n2</loc><lastmod>2020-10-03</lastmod></url>
    </urlset>"""
    listing = parse_sitemap(sitemap, BASE, "src")
    first, second = listing.links
    assert (first.listed_date, first.listed_title) == (
        "2020-10-04T08:15:00+03:00",
        "Drone strike kills two",
    )
    assert (second.url, second.listed_date, second.listed_title) == (
        "https://news.example/n2",
        "2020-10-03",
        None,
    )


def test_sitemap_index_lists_child_sitemaps_not_articles():
    listing = parse_sitemap(
        sitemap_index(("https://news.example/s1.xml", "2020-10-01"), ("/s2.xml.gz", None)),
        BASE,
        "src",
    )
    assert listing.links == ()
    assert [(c.url, c.listed_date) for c in listing.sitemaps] == [
        ("https://news.example/s1.xml", "2020-10-01"),
        ("https://news.example/s2.xml.gz", None),
    ]


def test_gzipped_sitemap_is_decompressed():
    body = gzipped(urlset(("https://news.example/z", None)))
    assert urls(parse_sitemap(body, BASE, "src")) == ["https://news.example/z"]


def test_corrupt_gzipped_sitemap_is_rejected():
    body = gzipped(urlset(("https://news.example/z", None)))[:20] + b"\x00garbage"
    assert reasons(parse_sitemap(body, BASE, "src")) == ["bad_gzip"]


def test_feed_given_as_sitemap_is_not_a_sitemap():
    assert reasons(parse_sitemap(rss(), BASE, "src")) == ["not_a_sitemap"]


INDEX_PAGE = b"""<html><head><base href="https://news.example/world/"></head><body>
<ul class="stories">
  <li class="story"><a href="ukraine/1">Shelling <b>in</b> Kharkiv</a></li>
  <li class="story"><span>no link here</span></li>
  <li class="story"><a href="javascript:void(0)">Share</a></li>
  <li class="story"><a href="/ukraine/2#top">Second</a></li>
</ul><a href="/about">About</a></body></html>"""


def test_html_index_links_under_the_selector_are_resolved_against_base():
    listing = parse_html_index(INDEX_PAGE, "https://news.example/", "src", "li.story")
    assert urls(listing) == [
        "https://news.example/world/ukraine/1",
        "https://news.example/ukraine/2",
    ]
    assert listing.links[0].listed_title == "Shelling in Kharkiv"


def test_html_index_selector_can_name_the_anchors_themselves():
    listing = parse_html_index(INDEX_PAGE, "https://news.example/", "src", "ul.stories a")
    assert len(listing.links) == 2


def test_html_index_selector_matching_nothing_is_reported():
    listing = parse_html_index(INDEX_PAGE, "https://news.example/", "src", "div.teaser a")
    assert reasons(listing) == ["selector_matched_nothing"]


def test_html_index_invalid_selector_is_a_reject_not_a_crash():
    assert reasons(parse_html_index(INDEX_PAGE, "https://news.example/", "src", "li[")) == [
        "bad_selector"
    ]


def test_parse_listing_dispatches_on_the_source_kind():
    source = Source(id="idx", kind="html_index", url="https://news.example/", link_selector="li a")
    listing = parse_listing(source, INDEX_PAGE, "https://news.example/")
    assert {link.source_id for link in listing.links} == {"idx"}
    assert len(listing.links) == 2


def test_a_feed_with_a_bare_ampersand_still_lists_its_items():
    body = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
        b"<item><title>Shelling & fires</title><link>https://wire.test/a?x=1&y=2</link></item>"
        b"</channel></rss>"
    )
    listing = parse_feed(body, "https://wire.test/rss", "wire")
    assert [link.url for link in listing.links] == ["https://wire.test/a?x=1&y=2"]
    assert listing.rejects == ()
