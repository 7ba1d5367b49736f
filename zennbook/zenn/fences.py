"""Code fence info strings, read as Zenn's `parseInfo` reads them (md-renderer-fence.ts)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_ALIASES = {"react": "jsx", "cwl": "yaml"}
_LANG = re.compile(r"^[\w#+.\-]+$")   # what can be a pandoc class; anything else is plain text


@dataclass(frozen=True)
class FenceInfo:
    lang: str            # lower-cased language, "" for none (Zenn highlights it as text)
    diff: bool           # diff mode: writers mark lines starting with + > (add) and - < (remove)
    filename: str        # verbatim text after the first ':', "" for none

    @property
    def classes(self) -> list[str]:
        """[lang] (+ "diff"); in diff mode the language is never missing ("text")."""
        if self.diff:
            return [self.lang or "text", "diff"]
        return [self.lang] if self.lang else []


def parse_info(info: str) -> FenceInfo:
    """`lang[ diff][:filename]`: split at the first ':', words split on single spaces."""
    if not info.strip():
        return FenceInfo("", False, "")
    lang_info, colon, filename = info.partition(":")
    words = lang_info.split(" ")
    diff = "diff" in words
    lang = next((w for w in words if w != "diff"), "") if diff else words[0]
    return FenceInfo(_normalize(lang), diff, filename if colon else "")


def _normalize(lang: str) -> str:
    lang = lang.lower()
    lang = _ALIASES.get(lang, lang)
    return lang if _LANG.match(lang) else ""
