"""URL recognition exactly as Zenn does it.

`match_url` is linkify-it's rule for `http(s)://` links (markdown-it's `linkify`, with
fuzzyLink and fuzzyEmail off, so only scheme links), ported from linkify-it 5 `lib/re.mjs`.
The `is_*_url` matchers are zenn-markdown-html's `utils/url-matcher.ts`.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import regex

_ZCC = r"\p{Z}|\p{Cc}"
_ZPCC = r"\p{Z}|\p{P}|\p{Cc}"
_SEP = r"[><\uff5c]"
_LETTER = rf"(?:(?!{_SEP}|{_ZPCC})(?s:.))"
_AUTH = rf"(?:(?:(?!{_ZCC}|[@/\[\]()]).){{1,50}}@)?"
_PORT = r"(?::(?:6(?:[0-4]\d{3}|5(?:[0-4]\d{2}|5(?:[0-2]\d|3[0-5])))|[1-5]?\d{1,4}))?"
_HOST_END = rf"(?=\Z|{_SEP}|{_ZPCC})(?!-|_|:\d|\.-|\.(?!\Z|{_ZPCC}))"
_PATH = (
    "(?:[/?#](?:"
    rf"(?!{_ZCC}|{_SEP}|[()\[\]{{}}.,\"'?!\-;])."
    rf"|\[(?:(?!{_ZCC}|\]).)*\]"
    rf"|\((?:(?!{_ZCC}|[)]).)*\)"
    rf"|\{{(?:(?!{_ZCC}|[}}]).)*\}}"
    rf"|\"(?:(?!{_ZCC}|[\"]).)+\""
    rf"|'(?:(?!{_ZCC}|[']).)+'"
    rf"|'(?={_LETTER}|[-])"
    r"|\.{2,}[a-zA-Z0-9%/&]"
    rf"|\.(?!{_ZCC}|[.]|\Z)"
    r"|\-+"
    rf"|,(?!{_ZCC}|\Z)"
    rf"|;(?!{_ZCC}|\Z)"
    rf"|\!+(?!{_ZCC}|[!]|\Z)"
    rf"|\?(?!{_ZCC}|[?]|\Z)"
    r")+|\/)?"
)
_DOMAIN = rf"(?:xn--[a-z0-9\-]{{1,59}}|{_LETTER}|{_LETTER}(?:-|{_LETTER}){{0,61}}{_LETTER})"
_HOST = rf"(?:(?:{_DOMAIN})\.)*{_DOMAIN}"
_HTTP_TAIL = regex.compile(rf"//{_AUTH}{_HOST}{_PORT}{_HOST_END}{_PATH}", regex.I | regex.V0)
_SCHEME = re.compile(r"https?:", re.I)
_SCHEME_CHAR = re.compile(r"[A-Za-z0-9+.\-]")


def starts_url(text: str, pos: int) -> bool:
    """True when a linkify scheme (`http:`/`https:`) starts at `pos` as a word of its own."""
    if not _SCHEME.match(text, pos):
        return False
    return pos == 0 or not _SCHEME_CHAR.match(text[pos - 1])


def match_url(text: str, pos: int, end: int | None = None) -> str | None:
    """The URL that markdown-it's linkify makes a link of at `pos`, or None."""
    end = len(text) if end is None else end
    scheme = _SCHEME.match(text, pos, end)
    if not scheme or not starts_url(text, pos):
        return None
    tail = _HTTP_TAIL.match(text[:end], scheme.end())
    if not tail or tail.end() == scheme.end():
        return None
    url = text[pos:tail.end()].rstrip("*")   # markdown-it: no '*' at the end (emphasis)
    return url if len(url) > len(scheme.group()) + 2 else None


# zenn-markdown-html utils/url-matcher.ts
_GITHUB = re.compile(
    r"^https://github\.com/([a-zA-Z0-9](-?[a-zA-Z0-9]){0,38})/([a-zA-Z0-9](-?[a-zA-Z0-9._]){0,99})"
    r"/blob/[^~\s:?\[*^/\\]{2,}/[\w!\-_~.*%()'\"/]+(?:#L\d+(?:-L\d+)?)?$", re.A)
_GIST = re.compile(
    r"^https://gist\.github\.com/([a-zA-Z0-9](-?[a-zA-Z0-9]){0,38})/([a-zA-Z0-9]){1,32}"
    r"(/[a-zA-Z0-9]+)?(\?file=.+)?$", re.A)
_TWEET = re.compile(r"^https://(twitter|x)\.com/[a-zA-Z0-9_-]+/status/[a-zA-Z0-9?=&\-_]+$")
_STACKBLITZ = re.compile(r"^https://stackblitz\.com/[a-zA-Z0-9\-_/.@?&=%\[\]]+$")
_CODESANDBOX = re.compile(r"^https://codesandbox\.io/embed/[a-zA-Z0-9\-_/.@?&=%,+]+$")
_CODEPEN = re.compile(r"^https://codepen\.io/[a-zA-Z0-9\-_/@]+/pen/[a-zA-Z0-9\-_/.@?&=%,]+$")
_JSFIDDLE = re.compile(r"^(http|https)://jsfiddle\.net/[a-zA-Z0-9_,/-]+$")
_DOCSWELL = (
    re.compile(r"^https://www\.docswell\.com/s/[a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+(/\d+)?(#p\d+)?$"),
    re.compile(r"^https://www\.docswell\.com/slide/[a-zA-Z0-9_-]+/embed(#p\d+)?$"),
)
_YOUTUBE = (
    re.compile(r"^https?://youtu\.be/[\w-]+(?:\?[\w=&-]+)?$", re.A),
    re.compile(r"^https?://(?:www\.)?youtube\.com/watch\?[\w=&-]+$", re.A),
)
_BLUEPRINTUE = re.compile(r"^https://blueprintue\.com/render/[-\w]+/?$", re.A)
_FIGMA = re.compile(
    r"^https://((www|embed)\.)?figma\.com/(file|proto|design|board|slides|deck)/([0-9a-zA-Z]{22,128})"
    r"(?:/[\w.?=&%-]+)?(?:\?[\w.?=&%-]+)?$", re.A)
_HOST_CHARS = re.compile(r"^[^\s/?#@:]+(:\d*)?$")


def is_valid_http_url(text: str) -> bool:
    """JS `new URL(text)` succeeds with protocol http: or https: (approximately)."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    host = parts.netloc.rpartition("@")[2]
    return parts.scheme.lower() in ("http", "https") and bool(_HOST_CHARS.match(host))


def is_github_url(url: str) -> bool:
    return bool(_GITHUB.match(url))


def is_gist_url(url: str) -> bool:
    return bool(_GIST.match(url))


def is_tweet_url(url: str) -> bool:
    return bool(_TWEET.match(url))


def is_stackblitz_url(url: str) -> bool:
    return bool(_STACKBLITZ.match(url))


def is_codesandbox_url(url: str) -> bool:
    return bool(_CODESANDBOX.match(url))


def is_codepen_url(url: str) -> bool:
    return bool(_CODEPEN.match(url))


def is_jsfiddle_url(url: str) -> bool:
    return bool(_JSFIDDLE.match(url))


def is_docswell_url(url: str) -> bool:
    return any(p.match(url) for p in _DOCSWELL)


def is_youtube_url(url: str) -> bool:
    return any(p.match(url) for p in _YOUTUBE)


def is_blueprintue_url(url: str) -> bool:
    return bool(_BLUEPRINTUE.match(url))


def is_figma_url(url: str) -> bool:
    return bool(_FIGMA.match(url))


def youtube_video(url: str) -> tuple[str, str | None] | None:
    """(video id, start) of a YouTube URL, as `extractYoutubeVideoParameters` finds them."""
    if not is_youtube_url(url):
        return None
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    path_id = parts.path.split("/")[1] if "/" in parts.path else ""
    video = (query.get("v") or [""])[0] or path_id
    start = (query.get("t") or [None])[0]
    if len(video) != 11:
        return None
    return video, (start.replace("s", "", 1) if start is not None else None)
