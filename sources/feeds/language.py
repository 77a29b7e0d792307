"""The language of a text whose source does not say, for `lang:de` on feed items.

A feed that declares no `<language>` (many blogs, Mastodon and Bluesky feeds) would leave
its items `und`, and `lang:de` would never find them. py3langid ships its model inside the
package (a few MB, nothing is downloaded); it is a naive Bayes over byte n-grams, so the
same text always gets the same answer. It is loaded on first use, once per process, since
loading takes a second or two and many runs never need it.
"""

from __future__ import annotations

import threading
from typing import Any

UNDETERMINED = "und"
LANGUAGES = (
    "de", "en", "fr", "es", "it", "nl", "pl", "pt", "sv", "da", "no", "fi", "cs", "hu",
    "ro", "tr", "el", "ru", "uk", "ar", "he", "ja", "zh", "ko",
)  # fmt: skip
"""The languages it chooses among: fewer choices, fewer wrong guesses on short texts."""
MIN_CONFIDENCE = 0.8
"""Below this (normalised) probability the answer is `und`: a guess would mislead `lang:`."""
MIN_LETTERS = 12
"""Shorter texts ("Streik!", a name) say too little; they stay `und`."""

_identifier: Any = None
_lock = threading.Lock()


def detect_language(text: str) -> str:
    """A two-letter language code for `text`, or `und` when it is too short or unclear."""
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return UNDETERMINED
    language, confidence = _load().classify(text)
    return str(language) if confidence >= MIN_CONFIDENCE else UNDETERMINED


def _load() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            identifier.set_languages(list(LANGUAGES))
            _identifier = identifier
    return _identifier
