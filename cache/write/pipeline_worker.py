"""The bulk import's worker process (`cache.write.pipeline.ClassifyWorker` starts it)."""

import signal
import sys

from cache.write.worker_side import serve

if __name__ == "__main__":
    # Ctrl-C reaches the whole process group: the importer decides when to stop (after the
    # transaction it is writing) and then closes the pipes, which ends this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(sys.stdin.buffer, sys.stdout.buffer)
