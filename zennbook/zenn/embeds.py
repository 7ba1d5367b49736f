"""What `@[name](arg)` and a bare URL line mean on Zenn: validation and the embed kind.

Mirrors zenn-markdown-html's `embed.ts` and `utils/embed-helper.ts`: the same names, the
same 300-character rule, the same URL checks. A book cannot show an iframe, so the result is
the kind plus a URL a reader can open; the writers show it as a static card.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.common.normalize_url import normalizeLink

from . import urls

EMBED_NAMES = ("youtube", "slideshare", "speakerdeck", "jsfiddle", "docswell", "codepen",
               "codesandbox", "stackblitz", "tweet", "blueprintue", "figma", "card", "gist",
               "github", "mermaid")
MAX_TOKEN_LENGTH = 300
_UNLIMITED = ("card", "github")
_KEY = re.compile(r"^[a-zA-Z0-9_-]+$")
_SPEAKERDECK = re.compile(r"^[a-zA-Z0-9_-]+(?:\?slide=\d+)?$")
_YOUTUBE_START_MAX = 48 * 60 * 60


@dataclass(frozen=True)
class Embed:
    kind: str      # "card", "mermaid" or an embed kind (youtube, tweet, ...)
    url: str       # the page a reader can open; for mermaid, the diagram source


@dataclass(frozen=True)
class Rejected:
    message: str   # Zenn's own error text, shown on zenn.dev instead of the embed


def _youtube(arg: str) -> Embed | Rejected:
    video = urls.youtube_video(arg)
    video_id, start = video if video else (arg, None)
    if not _KEY.match(video_id):
        return Rejected("YouTubeのvideoIDが不正です")
    seconds = youtube_start(start)
    suffix = f"&t={seconds}s" if seconds else ""
    return Embed("youtube", f"https://www.youtube.com/watch?v={video_id}{suffix}")


def youtube_start(value: str | None) -> int:
    """Zenn's start time: `t=123` or `t=123s`, capped at 48 h; anything else is no start."""
    if not value or not re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
        return 0
    return min(int(float(value)), _YOUTUBE_START_MAX)


def _slideshare(arg: str) -> Embed | Rejected:
    if not _KEY.match(arg):
        return Rejected("Slide Shareのkeyが不正です")
    return Embed("slideshare", f"https://www.slideshare.net/slideshow/embed_code/key/{arg}")


def _speakerdeck(arg: str) -> Embed | Rejected:
    if not _SPEAKERDECK.match(arg):
        return Rejected("Speaker Deckのkeyが不正です")
    return Embed("speakerdeck", f"https://speakerdeck.com/player/{arg}")


def _by_matcher(kind: str, matcher, message: str):
    def check(arg: str) -> Embed | Rejected:
        return Embed(kind, arg) if matcher(arg) else Rejected(message)
    return check


_CHECKS = {
    "youtube": _youtube,
    "slideshare": _slideshare,
    "speakerdeck": _speakerdeck,
    "docswell": _by_matcher("docswell", urls.is_docswell_url, "DocswellのスライドURLが不正です"),
    "jsfiddle": _by_matcher("jsfiddle", urls.is_jsfiddle_url, "jsfiddleのURLが不正です"),
    "codepen": _by_matcher("codepen", urls.is_codepen_url, "CodePenのURLが不正です"),
    "codesandbox": _by_matcher(
        "codesandbox", urls.is_codesandbox_url,
        "「https://codesandbox.io/embed/」から始まる正しいURLを入力してください"),
    "stackblitz": _by_matcher("stackblitz", urls.is_stackblitz_url,
                              "StackBlitzのembed用のURLを指定してください"),
    "blueprintue": _by_matcher(
        "blueprintue", urls.is_blueprintue_url,
        "「https://blueprintue.com/render/」から始まる正しいURLを指定してください"),
    "figma": _by_matcher("figma", urls.is_figma_url, "埋め込みに対応しているFigma URLを指定してください"),
    "card": _by_matcher("card", urls.is_valid_http_url, "URLが不正です"),
    "tweet": _by_matcher("tweet", urls.is_tweet_url, "ツイートページのURLを指定してください"),
    "gist": _by_matcher("gist", urls.is_gist_url, "GitHub GistのページURLを指定してください"),
    "github": _by_matcher("github", urls.is_github_url,
                          "GitHub のファイルURLまたはパーマリンクを指定してください"),
    "mermaid": lambda arg: Embed("mermaid", arg.strip()),
}


def _too_long(arg: str, kind: str | None) -> Rejected | None:
    if kind in _UNLIMITED or len(arg) <= MAX_TOKEN_LENGTH:
        return None
    return Rejected(f"埋め込みURLは{MAX_TOKEN_LENGTH}文字以内にする必要があります")


def embed_from_syntax(name: str, arg: str) -> Embed | Rejected | None:
    """`@[name](arg)`: the embed, Zenn's rejection, or None for a name Zenn does not know."""
    if name not in EMBED_NAMES:
        return None
    result = _too_long(arg, name) or _CHECKS[name](arg)
    if isinstance(result, Embed) and name == "card":
        return Embed("card", arg.strip())
    return result


def embed_from_bare_url(url: str) -> Embed | Rejected:
    """A URL alone on its line in a root or details paragraph (`generateLinkifyEmbedHTML`)."""
    href = normalizeLink(url)
    if urls.is_tweet_url(href):
        return _too_long(href, None) or Embed("tweet", url)
    if urls.is_youtube_url(href):
        result = _too_long(href, None) or _youtube(href)
        return Embed("youtube", url) if isinstance(result, Embed) else result
    if urls.is_github_url(href):
        return Embed("github", url)
    return Embed("card", url)
