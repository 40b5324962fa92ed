"""Copy everything a command prints into a log file in its results directory."""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from pathlib import Path


class _Tee:
    """Copies a stream into a log file; progress-bar redraws (\\r) keep only their final state."""

    def __init__(self, stream, log, echo: bool = True):
        self.stream, self.log, self.pending, self.echo = stream, log, "", echo

    def write(self, text: str) -> int:
        if self.echo:
            self.stream.write(text)
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self.log.write(line.rsplit("\r", 1)[-1] + "\n")
        self.log.flush()
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


@contextmanager
def log_to_file(path: Path, echo: bool = True):
    """Everything printed while inside also goes to `path` (appended, so a resumed run keeps its history);
    echo=False: only there (tune's trials, whose console shows the table of trials)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as log:
        out, err = sys.stdout, sys.stderr
        tees = sys.stdout, sys.stderr = _Tee(out, log, echo), _Tee(err, log, echo)
        try:
            yield
        finally:
            for tee in tees:
                if tee.pending:
                    log.write(tee.pending.rsplit("\r", 1)[-1] + "\n")
            sys.stdout, sys.stderr = out, err
            _repoint_handlers({id(tees[0]): out, id(tees[1]): err})


def _repoint_handlers(streams: dict) -> None:
    """Log handlers given one of the tees (log_records_to_stdout) write to the stream it wrapped once the log file
    is closed, so a record logged after the command finds an open stream."""
    for handler in logging.getLogger().handlers:
        stream = getattr(handler, "stream", None)
        if isinstance(handler, logging.StreamHandler) and id(stream) in streams:
            handler.setStream(streams[id(stream)])


def log_records_to_stdout() -> None:
    """tokcls's log records as plain lines on whatever sys.stdout is now (a log file's tee, or a trial's log):
    called again whenever sys.stdout changes, since a handler keeps the stream it was given."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout, force=True)
