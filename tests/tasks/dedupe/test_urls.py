import pytest

from config.settings import Settings
from tasks.dedupe.urls import UrlRules, article_id, canonical_url, trusted_canonical

RULES = UrlRules.load(Settings().url_rules_file)

ARTICLE = "https://example-wire.com/world/ganja-shelled"


def test_scheme_and_host_are_lower_case_and_the_fragment_is_dropped():
    assert (
        canonical_url("HTTPS://Example-Wire.COM/world/ganja-shelled#comments", rules=RULES)
        == ARTICLE
    )


def test_path_case_is_kept_because_servers_may_treat_it_as_part_of_the_id():
    assert (
        canonical_url("https://example-wire.com/World/X", rules=RULES)
        == "https://example-wire.com/World/X"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://news.test:80/a", "http://news.test/a"),
        ("https://news.test:443/a", "https://news.test/a"),
        ("https://news.test:8443/a", "https://news.test:8443/a"),
    ],
)
def test_only_default_ports_are_dropped(url, expected):
    assert canonical_url(url, rules=RULES) == expected


@pytest.mark.parametrize(
    "query",
    [
        "utm_source=twitter&utm_medium=social&utm_campaign=x",
        "fbclid=IwAR0abc",
        "gclid=1&mc_cid=2&mc_eid=3",
        "ref=homepage&cmpid=rss&ocid=msn&_ga=2.1",
        "at_medium=RSS&at_campaign=KARANGA",
        "UTM_Source=Newsletter",
    ],
)
def test_tracking_parameters_are_dropped(query):
    assert canonical_url(f"{ARTICLE}?{query}", rules=RULES) == ARTICLE


def test_other_query_parameters_are_kept_and_sorted_because_some_carry_the_article_id():
    url = "https://local-news.test/view.php?utm_source=x&storyid=4411&cat=war"
    assert (
        canonical_url(url, rules=RULES) == "https://local-news.test/view.php?cat=war&storyid=4411"
    )


@pytest.mark.parametrize(
    "variant",
    [
        "https://example-wire.com/amp/world/ganja-shelled",
        "https://example-wire.com/world/ganja-shelled/amp",
        "https://example-wire.com/world/ganja-shelled?amp=1",
        "https://example-wire.com/world/ganja-shelled?amp",
        "https://example-wire.com/world/ganja-shelled?outputType=amp",
        "https://amp.example-wire.com/world/ganja-shelled",
        "https://m.example-wire.com/world/ganja-shelled",
        "https://mobile.example-wire.com/world/ganja-shelled",
        "https://www.example-wire.com/world/ganja-shelled",
    ],
)
def test_amp_and_mobile_variants_map_to_the_desktop_page(variant):
    assert canonical_url(variant, rules=RULES) == ARTICLE


def test_amp_html_suffix_maps_to_the_html_page():
    assert (
        canonical_url("https://example-wire.com/2020/10/04/story.amp.html", rules=RULES)
        == "https://example-wire.com/2020/10/04/story.html"
    )


def test_a_mirror_label_that_is_the_registered_domain_itself_is_kept():
    assert canonical_url("https://m.me/story", rules=RULES) == "https://m.me/story"


def test_mobile_host_of_a_country_domain_keeps_the_registered_domain():
    assert (
        canonical_url("https://m.bbc.co.uk/news/world-1", rules=RULES)
        == "https://bbc.co.uk/news/world-1"
    )


def test_declared_canonical_on_the_same_site_wins_and_is_cleaned_too():
    page = "https://m.example-wire.com/p/12345?utm_source=x"
    declared = "https://www.example-wire.com/world/ganja-shelled?utm_medium=rss"
    assert canonical_url(page, declared, rules=RULES) == ARTICLE


@pytest.mark.parametrize(
    "declared",
    [
        "https://other-site.com/world/ganja-shelled",
        "/world/ganja-shelled",
        "ftp://example-wire.com/world/ganja-shelled",
        "https://example-wire.com/",
        "",
    ],
)
def test_a_misdeclared_canonical_is_ignored(declared):
    page = "https://example-wire.com/world/ganja-shelled?utm_source=x"
    assert canonical_url(page, declared, rules=RULES) == ARTICLE


def test_a_declared_canonical_on_a_subdomain_of_the_same_site_is_trusted():
    page = "https://example-wire.com/p/1"
    declared = "https://news.example-wire.com/world/ganja-shelled"
    assert canonical_url(page, declared, rules=RULES) == declared


def test_hosts_without_a_public_suffix_are_compared_by_host_name():
    page = "http://127.0.0.1:8080/a?utm_source=x"
    assert canonical_url(page, "http://127.0.0.1:8080/b", rules=RULES) == "http://127.0.0.1:8080/b"
    assert canonical_url(page, "http://127.0.0.2:8080/b", rules=RULES) == "http://127.0.0.1:8080/a"


def test_a_non_web_locator_is_kept_without_its_fragment():
    locator = "archive://sample/pages/story.html#L3"
    assert canonical_url(locator, rules=RULES) == "archive://sample/pages/story.html"


def test_article_id_is_the_first_16_hex_digits_of_the_sha1_of_the_canonical_url():
    assert article_id(ARTICLE) == "7cc3ff4c3beb6976"


def test_every_variant_of_one_page_gets_one_article_id():
    variants = [f"{ARTICLE}?utm_source=x", f"{ARTICLE}/amp", ARTICLE.replace("//", "//m.")]
    assert {article_id(canonical_url(v, rules=RULES)) for v in variants} == {article_id(ARTICLE)}


@pytest.mark.parametrize(
    "declared",
    ["https://example-wire.com:8o8o/world/a", "https://example-wire.com:99999/a", "http://[::1/x"],
)
def test_a_malformed_declared_canonical_is_untrustworthy_and_the_page_url_is_used(declared):
    page = "https://example-wire.com/world/ganja-shelled?utm_source=x"
    assert canonical_url(page, declared, rules=RULES) == ARTICLE


@pytest.mark.parametrize("page", ["https://example-wire.com:8o8o/a", "http://[::1/x"])
def test_a_malformed_page_url_is_returned_as_given_without_surrounding_space(page):
    assert canonical_url(f" {page} ", ARTICLE, rules=RULES) == page


@pytest.mark.parametrize(
    ("declared", "page", "trusted"),
    [
        ("https://example-wire.com/world/a?utm_source=x", None, "https://example-wire.com/world/a"),
        ("https://example-wire.com/", None, None),
        ("/world/a", None, None),
        ("https:///world/a", None, None),
        ("https://example-wire.com:99999/a", None, None),
        ("https://other-site.com/world/a", "https://example-wire.com/x", None),
    ],
)
def test_trusted_canonical_applies_the_rules_with_or_without_the_page_url(declared, page, trusted):
    assert trusted_canonical(declared, page, rules=RULES) == trusted
