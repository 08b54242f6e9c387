"""Sources: three lines add a site; a bad entry fails with a message naming it."""

from pathlib import Path

import pytest

from config.settings import Settings
from config.sources import SourceConfigError, load_sources, select_sources


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_entry_gets_sensible_defaults(tmp_path):
    (source,) = load_sources(
        write(tmp_path, "sources:\n  - {id: wire, kind: feed, url: https://x.test/rss}\n")
    )
    assert (source.timezone, source.enabled, source.concurrency) == ("UTC", True, 2)
    assert source.display_name == "wire"


def test_archive_paths_are_resolved_against_the_sources_file(tmp_path):
    (source,) = load_sources(
        write(tmp_path, "sources:\n  - {id: dump, kind: archive, path: saved}\n")
    )
    assert source.path == (tmp_path / "saved").resolve()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{id: a, kind: feed}", "source a: entry: Value error, a feed source needs 'url'"),
        ("{id: a, kind: rss, url: https://x.test}", "source a: kind"),
        ("{id: a, kind: feed, url: ftp://x.test}", "url must be http(s)"),
        ("{id: a, kind: feed, url: https://x.test, timezone: Mars/Olympus}", "unknown timezone"),
        ("{id: a, kind: html_index, url: https://x.test}", "needs 'link_selector'"),
        ("{id: a, kind: feed, url: https://x.test, colour: red}", "colour"),
        ("{id: Bad Id, kind: feed, url: https://x.test}", "source Bad Id: id"),
    ],
)
def test_a_bad_entry_names_the_source_and_the_problem(tmp_path, entry, message):
    with pytest.raises(SourceConfigError) as error:
        load_sources(write(tmp_path, f"sources:\n  - {entry}\n"))
    assert message in str(error.value)


def test_duplicate_ids_are_refused(tmp_path):
    text = "sources:\n" + "  - {id: a, kind: feed, url: https://x.test}\n" * 2
    with pytest.raises(SourceConfigError, match="duplicate source ids: a"):
        load_sources(write(tmp_path, text))


def test_unknown_source_ids_are_named_with_the_known_ones(tmp_path):
    sources = load_sources(
        write(tmp_path, "sources:\n  - {id: a, kind: feed, url: https://x.test}\n")
    )
    with pytest.raises(SourceConfigError, match=r"unknown source id\(s\): nope; known: a"):
        select_sources(sources, ["nope"])


def test_naming_a_disabled_source_selects_it_and_no_name_selects_the_enabled(tmp_path):
    text = (
        "sources:\n  - {id: live, kind: feed, url: https://x.test}\n"
        "  - {id: paused, kind: feed, url: https://y.test, enabled: false}\n"
    )
    sources = load_sources(write(tmp_path, text))
    assert [s.id for s in select_sources(sources, None)] == ["live"]
    assert [s.id for s in select_sources(sources, ["paused"])] == ["paused"]


def test_the_shipped_sources_file_is_valid_and_only_the_sample_is_enabled():
    sources = load_sources(Settings().sources_file)
    assert [s.id for s in sources if s.enabled] == ["sample"]
    assert len(sources) >= 5
