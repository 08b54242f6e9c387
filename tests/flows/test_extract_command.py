import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from flows.cli import app

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
UNDATED = (
    "<html lang='de'><head><title>Lagebericht</title></head><body><article>"
    "<p>Nach Angaben der Behörden wurden bei dem Angriff auf die Stadt mindestens zwei Menschen "
    "getötet und elf weitere verletzt, darunter mehrere Kinder aus der Nachbarschaft.</p>"
    "<p>Rettungskräfte suchten bis in die Nacht in den Trümmern eines Wohnhauses nach weiteren "
    "Opfern. Der Bürgermeister sprach von einem gezielten Angriff auf zivile Ziele.</p>"
    "<p>Die Regierung kündigte eine Untersuchung an und forderte internationale Beobachter auf, "
    "die Schäden in den betroffenen Vierteln zu dokumentieren.</p>"
    "</article></body></html>"
)


def run_extract(*args: str) -> list[dict]:
    result = CliRunner().invoke(app, ["extract", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_each_file_gives_one_json_line_with_its_dated_article(tmp_path):
    gzipped = tmp_path / "wire.html.gz"
    gzipped.write_bytes(gzip.compress((PAGES / "wire_report.html").read_bytes()))
    (line,) = run_extract(str(gzipped))
    assert line["file"] == str(gzipped)
    assert line["title"] == "Shelling hits Stepanakert as fighting spreads"
    assert line["body"].startswith("STEPANAKERT, Oct 4")
    assert line["language"] == "en"
    assert (line["published_at"], line["published_at_source"]) == (
        "2020-10-04T09:15:00+04:00",
        "meta",
    )
    assert line["published_local_date"] == "2020-10-04"


def test_a_page_without_a_date_has_null_published_at_not_the_fetch_time(tmp_path):
    undated = tmp_path / "undated.html"
    undated.write_text(UNDATED, encoding="utf-8")
    (line,) = run_extract(str(undated))
    assert line["language"] == "de"
    assert line["body"].startswith("Nach Angaben der Behörden")
    assert (line["published_at"], line["published_at_source"]) == (None, None)


def test_a_bad_file_gets_a_reject_line_and_the_others_still_come_out(tmp_path):
    undated = tmp_path / "undated.html"
    undated.write_text(UNDATED, encoding="utf-8")
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(b"\x1f\x8b not really gzip")
    lines = run_extract(str(broken), str(tmp_path / "missing.html"), str(undated))
    assert [line.get("reject") for line in lines] == ["unreadable_file", "unreadable_file", None]
    assert lines[2]["title"] == "Lagebericht"
