"""Text extraction and publication-date quality on the shared evaluation pages.

Reads ``<eval-dir>/extraction`` and ``<eval-dir>/pubdates`` in place (never copied into the
repository) and scores them exactly as ``<eval-dir>/README.md`` defines, next to the published
baselines, so a change to cleaning can be judged against trafilatura and readability by the same
metric. Run by hand::

    .venv/bin/python -m bench.eval_text --eval-dir ../shared/eval
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from statistics import mean

import trafilatura

from tasks.records import CleanPage, PublishedDate, RawPage
from tasks.text.clean import clean_page
from tasks.text.pubdate import choose_published, parse_as_written

TOKEN = re.compile(r"\w+")
SHINGLE = 4
EARLIEST = date(1990, 1, 1)


def shingles(text: str) -> set[tuple[str, ...]]:
    """4-token shingles of lower-cased ``\\w+`` tokens; a shorter text is one shingle."""
    tokens = TOKEN.findall(text.lower())
    if len(tokens) < SHINGLE:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def prf(predicted: str, expected: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of one document; an empty side scores zero."""
    got, want = shingles(predicted), shingles(expected)
    overlap = len(got & want)
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / len(got), overlap / len(want)
    return precision, recall, 2 * precision * recall / (precision + recall)


def averaged(pairs: Iterable[tuple[str, str]]) -> dict[str, float]:
    """Per-document scores averaged over documents, as the benchmark reports them."""
    scores = [prf(predicted, expected) for predicted, expected in pairs]
    return {
        name: round(mean(s[i] for s in scores), 4)
        for i, name in enumerate(("precision", "recall", "f1"))
    }


def extraction_scores(eval_dir: Path, limit: int | None = None, *, timing: bool = True) -> dict:
    """Our F1 next to the published baselines', and our speed next to bare trafilatura's.

    ``timing=False`` skips the second, bare-trafilatura pass (tests need only the scores).
    """
    folder = _folder(eval_dir, "extraction")
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit]
    pages = {i: gzip.decompress((folder / "html" / f"{i}.html.gz").read_bytes()) for i in ids}
    ours, ours_seconds = _timed(lambda i: _body(clean_page(_raw(truth[i]["url"], pages[i]))), ids)
    result: dict = {
        "documents": len(ids),
        "ours": averaged((ours[i], truth[i]["articleBody"]) for i in ids),
    }
    if timing:
        _, bare_seconds = _timed(lambda i: trafilatura.extract(pages[i]) or "", ids)
        result["pages_per_second"] = {
            "clean_page": round(len(ids) / ours_seconds, 1),
            "trafilatura.extract": round(len(ids) / bare_seconds, 1),
        }
    for path in sorted((folder / "baselines").glob("*.json")):
        baseline = json.loads(path.read_text(encoding="utf-8"))
        output = baseline["output"]
        pairs = ((output.get(i, {}).get("articleBody") or "", truth[i]["articleBody"]) for i in ids)
        result[f"{baseline['tool']} {baseline['version']}"] = averaged(pairs)
    return result


def pubdate_scores(eval_dir: Path, limit: int | None = None) -> dict:
    """Exact-day accuracy of the chosen date, the no-date share, and each signal kind's record.

    The day compared is the one the pipeline files the story under, ``published_local_date``
    (the day in the page's own offset): the annotators read local days, and a UTC day would
    mark a late-evening story in Kyiv or New York wrong. A page
    the annotators found undated (NaN in the ground truth) counts as right when we return no
    date. Pages are cleaned with no minimum body length, so every page's date is judged, even
    ones the pipeline would reject as too short.
    """
    folder = _folder(eval_dir, "pubdates")
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    entries = sorted(truth.items(), key=lambda item: item[1]["file"])[:limit]
    now = datetime.now(UTC)
    correct, undated, chosen = 0, 0, Counter()
    by_kind: dict[str, list[bool]] = {}
    for url, entry in entries:
        expected = _expected_day(entry["date"])
        page = clean_page(
            _raw(url, gzip.decompress((folder / entry["file"]).read_bytes())), min_words=0
        )
        signals = page.date_signals if isinstance(page, CleanPage) else ()
        for kind, day in _first_day_per_kind(signals).items():
            by_kind.setdefault(kind, []).append(day == expected)
        dated = choose_published(
            signals, tz_hint="UTC", fetched_at=None, earliest=EARLIEST, now=now
        )
        if not isinstance(dated, PublishedDate):
            undated += 1
            correct += expected is None
            continue
        chosen[dated.source] += 1
        correct += dated.local_date == expected
    return {
        "pages": len(entries),
        "exact_day_accuracy": round(correct / len(entries), 4),
        "no_date_share": round(undated / len(entries), 4),
        "chosen_from": dict(chosen.most_common()),
        "by_kind": {
            kind: {"pages": len(hits), "exact_day_share": round(sum(hits) / len(hits), 4)}
            for kind, hits in sorted(by_kind.items(), key=lambda item: -len(item[1]))
        },
    }


def _expected_day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _first_day_per_kind(signals: Iterable) -> dict[str, date]:
    """What each kind would say on its own: its first parseable signal's day."""
    days: dict[str, date] = {}
    for signal in signals:
        day = _day_as_written(signal.raw) if signal.kind not in days else None
        if day is not None:
            days[signal.kind] = day
    return days


def _day_as_written(raw: str | None) -> date | None:
    parsed = parse_as_written(raw or "")
    return parsed.date() if parsed is not None else None


def _timed(extract, ids: list[str]) -> tuple[dict[str, str], float]:
    start = time.perf_counter()
    texts = {i: extract(i) for i in ids}
    return texts, time.perf_counter() - start


def _body(page: object) -> str:
    return page.body if isinstance(page, CleanPage) else ""


def _raw(url: str, body: bytes) -> RawPage:
    return RawPage(url=url, source_id="eval", body=body, fetched_at=datetime.now(UTC))


def _folder(eval_dir: Path, name: str) -> Path:
    """Accept either the eval root or the set's own folder."""
    eval_dir = Path(eval_dir)
    return eval_dir / name if (eval_dir / name).is_dir() else eval_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=Path("../shared/eval"))
    parser.add_argument("--limit", type=int, default=None, help="Only the first N pages of each.")
    args = parser.parse_args()
    report = {
        "extraction": extraction_scores(args.eval_dir, args.limit),
        "pubdates": pubdate_scores(args.eval_dir, args.limit),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
