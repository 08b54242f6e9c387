"""``make test-under-load``: the whole suite, several times, while every core is kept busy.

A test that passes on an idle machine and fails on a loaded one asserts on the machine's speed,
which is a bug in the test. This keeps one busy loop per core running (separate processes, at
normal priority) for as long as the suite runs, repeats the suite, and exits non-zero if any run
failed. Each run's closing line is printed, so the result reads at a glance::

    .venv/bin/python -m tests.under_load --runs 3 [--burners 2] [-- pytest args]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import time


def burn() -> None:
    """Spin until killed."""
    while True:
        pass


def run_suite(pytest_args: list[str]) -> tuple[int, str, float]:
    """(exit code, pytest's closing line, seconds) of one full run."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args],
        capture_output=True,
        text=True,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    closing = lines[-1] if lines else done.stderr.strip()[-300:]
    if done.returncode:
        failures = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
        closing = "\n".join([*failures, closing])
    return done.returncode, closing, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--burners", type=int, default=os.cpu_count() or 2)
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()
    burners = [multiprocessing.Process(target=burn, daemon=True) for _ in range(args.burners)]
    for burner in burners:
        burner.start()
    results = []
    try:
        for number in range(1, args.runs + 1):
            code, closing, seconds = run_suite(args.pytest_args)
            results.append(code)
            print(f"run {number}/{args.runs} under {args.burners} busy loops, {seconds:.0f} s:")
            print(f"  {closing}", flush=True)
    finally:
        for burner in burners:
            burner.kill()
    passed = sum(code == 0 for code in results)
    print(f"{passed} of {len(results)} runs passed with every core busy")
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
