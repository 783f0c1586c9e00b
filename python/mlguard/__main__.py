"""``python -m mlguard …`` and the ``mlguard`` command: the command line, run in this process
by the native module through the same entry as the Rust binary, with its output, messages and
exit codes."""

from __future__ import annotations

import signal
import sys

from mlguard._native import main as _main


def main() -> int:
    """Run ``mlguard`` with this process's arguments and return its exit code."""
    # Ctrl-C stops the run as it stops the binary: Python's own handler would only run once
    # the native call returned.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    return _main(["mlguard", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
