"""Language identification with py3langid, whose model ships inside its wheel (nothing downloaded)."""

from __future__ import annotations

from functools import lru_cache

_MAX_CHARS = 400  # py3langid is linear in length (~1 µs/char here); 400 chars is ~70 words
_MIN_CHARS = 20


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code, or None when the text is too short or the model is unsure (p < 0.5)."""
    sample = text[:_MAX_CHARS]
    if len(sample.strip()) < _MIN_CHARS:
        return None
    lang, prob = _identifier().classify(sample)
    return lang if prob >= 0.5 else None
