"""The bulk import's worker process (`cache.write.pipeline.ClassifyWorker` starts it)."""

import sys

from cache.write.pipeline import serve

if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
