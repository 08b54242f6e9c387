"""The harvest's page spool: pages on disk, back in arrival order, a batch at a time."""

from datetime import UTC, datetime

from tasks.fetching.spool import PageSpool
from tasks.records import RawPage

FETCHED = datetime(2024, 5, 1, tzinfo=UTC)


def page(n: int) -> RawPage:
    return RawPage(f"https://news.example/{n}", "wire", f"<p>page {n}</p>".encode(), FETCHED)


def test_pages_come_back_in_the_order_they_arrived_and_unchanged():
    spool = PageSpool()
    for n in range(5):
        spool.append(page(n))
    assert len(spool) == 5
    assert list(spool) == [page(n) for n in range(5)]


def test_batches_hold_at_most_the_batch_size_and_cover_every_page_once():
    spool = PageSpool()
    for n in range(7):
        spool.append(page(n))
    batches = list(spool.batches(3))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [p for b in batches for p in b] == list(spool)


def test_an_empty_spool_gives_no_batch():
    assert list(PageSpool().batches(10)) == [] and len(PageSpool()) == 0
