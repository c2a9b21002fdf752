#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""berth-pty: run a command on a terminal of its own, as a person would.

    berth-pty ROWSxCOLS STEP... -- COMMAND [ARGS...]

starts COMMAND on a new pseudo-terminal of that size and carries out the
steps in order:

    send:TEXT       type TEXT (\\n, \\r, \\x04 and other escapes decoded)
    expect:REGEX    wait until what the terminal printed since the last
                    expect matches REGEX
    resize:RxC      change the terminal's size (the kernel sends SIGWINCH)
    sleep:SECONDS   let COMMAND act on what it was sent (a resize goes out
                    as a request of its own, while the terminal waits)
    eof             wait for COMMAND to end

Each wait lasts at most $BERTH_PTY_TIMEOUT seconds (10).  The exit status
is COMMAND's when every step was met, 99 when one was not; then what the
terminal showed is printed on stderr, so that a failed test says why.
"""
import codecs
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time

TIMEOUT = float(os.environ.get("BERTH_PTY_TIMEOUT", "10"))


def winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def size_of(text):
    rows, cols = text.lower().split("x")
    return int(rows), int(cols)


def main(argv):
    if "--" not in argv or len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    cut = argv.index("--")
    rows, cols = size_of(argv[1])
    steps, command = argv[2:cut], argv[cut + 1:]

    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    winsize(fd, rows, cols)

    seen = b""      # since the last expect
    shown = b""     # all of it, for the report
    status = None

    def read_some(deadline):
        nonlocal seen, shown
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            return False
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the other side is gone
            data = b""
        if not data:
            return None
        seen += data
        shown += data
        return True

    def fail(why):
        sys.stderr.write("berth-pty: %s\n--- the terminal showed ---\n%s\n---\n"
                         % (why, shown.decode(errors="replace")))
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        return 99

    for step in steps:
        kind, _, arg = step.partition(":")
        deadline = time.monotonic() + TIMEOUT
        if kind == "send":
            os.write(fd, codecs.decode(arg, "unicode_escape").encode())
        elif kind == "resize":
            winsize(fd, *size_of(arg))  # the kernel sends COMMAND SIGWINCH
        elif kind == "sleep":
            deadline = time.monotonic() + float(arg)
            while read_some(deadline):
                pass
        elif kind == "expect":
            pattern = re.compile(arg.encode(), re.S)
            while not pattern.search(seen):
                got = read_some(deadline)
                if not got:
                    return fail("no match for %r %s" % (arg, "before the end" if got is None else "in time"))
            seen = b""
        elif kind == "eof":
            while True:
                got = read_some(deadline)
                if got is None:
                    break
                if got is False:
                    return fail("it did not end in time")
        else:
            return fail("unknown step %r" % step)

    deadline = time.monotonic() + TIMEOUT
    while status is None:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
        if time.monotonic() > deadline:
            return fail("it did not exit in time")
        read_some(min(deadline, time.monotonic() + 0.1))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
