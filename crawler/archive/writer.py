"""The archive's writer process: `python -m crawler.archive.writer FD FOLDER CRAWL_ID MAX_BYTES INFO`.

warcio's gzip and digests cost ~270 µs a page: in the crawl's own process, which is
CPU-bound, that would be an eighth of a crawl. Here they run beside it. The crawl sends
frames (crawler.extraction's: 4-byte length, then a pickle) on the socket FD, in order:

- an `Exchange`: write its records (no answer);
- `"seal"`: close the file being written and answer `("sealed", [(tmp, final), ...])`.
  Frames are read in order, so a sealed file holds every response sent before the seal.
- `("end", outcome)`: write the crawl's closing record (WarcFiles.end), then answer as a seal.

The first write or seal that fails is answered `("error", reason)` at once, and the writer
stops: the crawl finds the socket closed and reads the reason.

End of input (the crawl is done, or gone) drops what no seal handed over, and exits. The
writer dies with the crawl (SIGKILL included) and ignores Ctrl-C: the crawl decides when.
"""
from __future__ import annotations

import json
import os
import pickle
import signal
import socket
import sys

from crawler.archive.files import Exchange, WarcFiles
from crawler.extraction import HEADER, batch_scheduling, die_with_parent, frame


def serve(stream, files: WarcFiles) -> None:
    while True:
        header = stream.read(HEADER.size)
        if len(header) < HEADER.size:
            break
        message = pickle.loads(stream.read(HEADER.unpack(header)[0]))
        try:
            if isinstance(message, Exchange):
                files.write(message)
                continue
            sealed = files.end(message[1]) if isinstance(message, tuple) else files.seal()
            answer = ("sealed", [(str(tmp), str(final)) for tmp, final in sealed])
        except OSError as failure:
            # Said at once, and the writer stops: the crawl's next response finds it gone and
            # reads why, rather than crawling on to a seal that can only fail (a full disk).
            stream.write(frame(("error", f"{failure.strerror or failure}" +
                                         (f": {failure.filename}" if failure.filename else ""))))
            stream.flush()
            break
        stream.write(frame(answer))
        stream.flush()
    files.abort()


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    batch_scheduling()
    # Behind the crawl for the CPU: nothing waits for a record but a batch's seal, and the
    # socket's buffer bounds how far behind it can fall (the crawl's process is CPU-bound).
    os.nice(10)
    fd, folder, crawl_id, max_bytes, info = argv
    sock = socket.socket(fileno=int(fd))
    files = WarcFiles(folder, crawl_id, int(max_bytes), json.loads(info))
    try:
        serve(sock.makefile("rwb"), files)
    except (BrokenPipeError, ConnectionResetError):
        files.abort()
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    # This module's main, not __main__'s copy: frames name crawler.archive.files.Exchange.
    from crawler.archive.writer import main as writer_main

    status = writer_main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
