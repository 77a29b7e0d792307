"""Archive files on disk (X API v2 JSON/JSONL, feeds, Bluesky/Mastodon answers) -> records."""
