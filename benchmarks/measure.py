"""Shared by the benchmarks: run a command as a user would and read what it cost; summarise runs.

`run_command(argv)` starts a small runner interpreter (this file as a script) which starts the
command, waits for it with `os.wait4` and reports, as JSON:
  wall    seconds from just before the command is spawned until it has exited: what a person
          at the keyboard waits for (interpreter start-up and imports included);
  cpu     the command's user + system CPU time (its own `rusage`), steadier than wall time on a
          shared machine: it does not count the time the command waited for a core;
  maxrss  the command's peak resident set in bytes (`ru_maxrss`).
The runner is there for `maxrss`: on Linux a child's peak RSS starts at the peak of the process
it was forked from, so a command spawned straight from a benchmark that has just generated a
100,000-matter store in memory would report that store's size. The runner is a bare interpreter.

Not a benchmark itself; `python benchmarks/measure.py -- CMD...` is the runner.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def fieldvisit_command() -> list[str]:
    """The `fieldvisit` entry point installed beside this interpreter (as a user runs it)."""
    script = Path(sys.executable).with_name("fieldvisit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fieldvisit"]


def run_command(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, check: bool = True) -> dict:
    """Run `argv` to completion through the runner; returns wall, cpu, maxrss, rc, stdout, stderr."""
    done = subprocess.run([sys.executable, str(HERE), "--", *argv], capture_output=True, text=True, cwd=cwd, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"runner failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout)
    if check and result["rc"] != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {result['rc']}:\n{result['stderr'][-4000:]}")
    return result


def _runner(argv: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = rc = os.waitstatus_to_exitcode(status)
        texts = []
        for handle in (out, err):
            handle.seek(0)
            texts.append(handle.read().decode("utf-8", "replace")[-20000:])
    maxrss = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss": maxrss, "rc": rc,
                      "stdout": texts[0], "stderr": texts[1]}))


def spread(values: list[float], unit: str = "s", scale: float = 1.0, digits: int = 2) -> str:
    """'median X (min A – max B, n=N)' for a list of runs."""
    median = statistics.median(values) * scale
    return (f"median {median:.{digits}f} {unit} (min {min(values) * scale:.{digits}f} – max {max(values) * scale:.{digits}f}, "
            f"n={len(values)})")


def nearest_rank(values: list[float], share: float) -> float:
    """The `share` quantile by nearest rank (p95 of 20 runs is the 19th)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-int(share * 100 * len(ordered)) // 100) - 1))]


def now() -> float:
    """A clock shared by all processes on the machine (Linux: CLOCK_MONOTONIC): a child's
    moments can be compared with its parent's spawn time."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


async def until(condition, what: str, timeout: float, poll: float) -> float:
    """Let an app under Pilot run until `condition()` holds (work in another thread, or in the
    app), looking every `poll` seconds; the moment it held (`now`)."""
    import asyncio

    deadline = now() + timeout
    while not condition():
        if now() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await asyncio.sleep(poll)
    return now()


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "--":
        raise SystemExit("usage: measure.py -- COMMAND [ARGS...]")
    _runner(sys.argv[2:])
