"""Launch → first interactive screen, measured the way a person sees it.

Each app is started in a fresh pseudo-terminal (120×40); the clock stops when its first screen's
text appears on the terminal. The field app opens a demo store of 48 matters; the baseline is a
bare Textual "hello" app, run alternately in the same loop. Target: ≤ 1.5× the baseline.
"""

from __future__ import annotations

import datetime as dt
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
import fcntl
from pathlib import Path

RUNS = 9
TARGET_RATIO = 1.5
ANSI = re.compile(rb"\x1b\[[0-9;?<>=$]*[A-Za-z]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[=>PX^_]")


def time_to_text(argv: list[str], marker: str, env: dict[str, str], timeout: float = 30.0) -> float:
    """Seconds from spawning `argv` in a pty until `marker` is drawn."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    seen = b""
    wanted = marker.encode()
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
                if wanted in ANSI.sub(b"", seen):
                    return time.perf_counter() - start
        raise RuntimeError(f"{marker!r} never appeared; output: {ANSI.sub(b'', seen)[-300:]!r}")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> int:
    env = {**os.environ, "TERM": "xterm-256color", "FIELDVISIT_LANG": "zh-CN", "COLUMNS": "120", "LINES": "40"}
    with tempfile.TemporaryDirectory() as data_dir:
        anchor = dt.date.today().isoformat()
        os.system(f"{sys.executable} -m fieldvisit demo --data-dir {data_dir} --seed 1 --anchor {anchor} --no-open > /dev/null")
        field = [sys.executable, "-m", "fieldvisit", "--data-dir", data_dir]
        hello = [sys.executable, str(Path(__file__).with_name("hello_app.py"))]
        field_times, hello_times = [], []
        for _ in range(RUNS):
            hello_times.append(time_to_text(hello, "Hello", env))
            field_times.append(time_to_text(field, "次下访", env))
    hello_median = statistics.median(hello_times)
    field_median = statistics.median(field_times)
    ratio = field_median / hello_median
    print(f"bare Textual hello app : median {hello_median * 1000:7.1f} ms  (min {min(hello_times) * 1000:.1f} – max {max(hello_times) * 1000:.1f}, n={RUNS})")
    print(f"fieldvisit field app   : median {field_median * 1000:7.1f} ms  (min {min(field_times) * 1000:.1f} – max {max(field_times) * 1000:.1f}, n={RUNS})")
    print(f"ratio                  : {ratio:.2f}×  (target ≤ {TARGET_RATIO}×) {'OK' if ratio <= TARGET_RATIO else 'MISSED'}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
