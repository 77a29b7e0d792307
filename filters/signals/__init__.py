"""Authenticity signals of ambassador accounts, sign-offs, near-duplicates, and the findings
(badges with their evidence) they add up to."""
