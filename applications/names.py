"""How two spellings of one organisation's name are recognised as the same name.

Published lists print one company's name with full-width or half-width brackets, stray spaces and the
full-width letters of a Chinese input method; officials type it again in other ways. Matching compares the
folded key, never the raw text, and the key is kept in the database beside each name so a lookup is an index.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")  # \s covers the full-width space U+3000 and NBSP U+00A0
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_BRACKETS = str.maketrans("[]【】〔〕{}〈〉《》", "()" * 6)


def fold_name(name: str | None) -> str:
    """The key two spellings of a name share: NFKC (full-width → half-width), one kind of bracket, no spaces."""
    text = unicodedata.normalize("NFKC", (name or "").translate(_INVISIBLE))
    return _SPACES.sub("", text).translate(_BRACKETS)
