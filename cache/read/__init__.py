"""Reads: query compilation and search, the monitor's pages, threads, ambassadors, hourly
counts, saved views, status and feed health."""
