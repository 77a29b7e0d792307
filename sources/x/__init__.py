"""X (Twitter): tweepy client and session, API v2 parsing, search, timelines, filtered stream."""
