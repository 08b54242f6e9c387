import pytest

from bench.corpus import republish, republished_url
from bench.run_all import SECTIONS, parse_args
from bench.table import Figure, against, markdown
from bench.warehouse_scale import run as warehouse_run
from config.settings import Settings
from tasks.dedupe.urls import UrlRules
from tasks.fetching.archive import self_declared_url

PAGE = (
    b'<html><head><link rel="canonical" href="https://news.test/2020/10/ganja-shelled">'
    b'<meta property="og:url" content="https://news.test/2020/10/ganja-shelled"></head>'
    b"<body><p>Ganja was shelled on Sunday.</p><p>One person died.</p></body></html>"
)


def test_a_republished_page_names_its_new_address_everywhere_and_has_its_first_paragraph_edited():
    rules = UrlRules.load(Settings().url_rules_file)
    page = republish("https://news.test/2020/10/ganja-shelled", PAGE, 3, rules)
    assert self_declared_url(page, rules) == "https://news.test/2020/10/ganja-shelled-r3"
    assert b'ganja-shelled"' not in page
    assert b"<p>Edition 3: Ganja was shelled on Sunday.</p><p>One person died.</p>" in page


def test_each_edition_gets_its_own_url():
    assert (
        republished_url("https://a.test/news/story/?id=4", 2) == "https://a.test/news/story-r2?id=4"
    )


def test_the_table_says_whether_each_target_is_met():
    table = markdown(
        [
            against("ratio", 0.32, 0.8, unit="x", at_least=True),
            against("one day", 0.25, 1.0, unit=" s"),
            Figure("explains", "3 s"),
        ]
    )
    assert table.splitlines()[2:] == [
        "| ratio | 0.32x | ≥ 0.8x | **no** |",
        "| one day | 0.25 s | < 1 s | yes |",
        "| explains | 3 s |  |  |",
    ]


def test_a_subset_of_sections_can_be_chosen_and_an_unknown_one_is_refused(capsys):
    assert parse_args(["--only", "warehouse,incidents"]).only == ["warehouse", "incidents"]
    assert parse_args([]).only == list(SECTIONS)
    with pytest.raises(SystemExit):
        parse_args(["--only", "warehouse,speed"])
    assert "unknown sections ['speed']" in capsys.readouterr().err


def test_the_warehouse_bench_fills_the_product_schema_and_publishes_it(tmp_path):
    result = warehouse_run(tmp_path, articles=1_000, incidents=300, raw_kb=1, repeats=1)
    assert result["articles"] == 1_000 and result["size_gb"] > 0
    assert list(tmp_path.iterdir()) == []  # the temporary warehouse is gone
