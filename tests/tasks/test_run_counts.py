from itertools import count

from tasks.run_counts import IngestCounts, StageClock


def ticking() -> StageClock:
    """A clock whose every reading is one second after the last."""
    ticks = count()
    return StageClock(now=lambda: float(next(ticks)))


def test_a_stage_timed_inside_another_is_counted_once_under_the_inner_one():
    clock = ticking()
    with clock.timed("load"), clock.timed("dedupe"):  # read at 0, then at 1
        pass  # dedupe ends at 2, load at 3: load ran 0..1 and 2..3, dedupe 1..2
    assert clock.as_dict() == {"load": 2.0, "dedupe": 1.0}


def test_work_measured_elsewhere_is_shared_out_in_the_proportions_of_its_own_clock():
    clock = StageClock()
    clock.spread(8.0, {"clean": 3.0, "date": 1.0})
    clock.spread(2.0, {})
    assert clock.as_dict() == {"clean": 6.0, "date": 2.0}


def test_seconds_a_subflow_spent_publishing_move_from_its_stage_to_publish():
    clock = StageClock()
    clock.spread(10.0, {"summarize": 1.0})
    clock.reassign(4.0, "summarize", "publish")
    clock.reassign(99.0, "summarize", "publish")  # never more than the stage had
    assert clock.as_dict() == {"summarize": 0.0, "publish": 10.0}


def test_the_run_counts_carry_the_seconds_per_stage():
    counts = IngestCounts(clock=ticking())
    with counts.clock.timed("store"):
        pass
    assert counts.as_dict()["stage_seconds"] == {"store": 1.0}
    assert {"measure": "seconds_store", "count": 1.0} in counts.table()
