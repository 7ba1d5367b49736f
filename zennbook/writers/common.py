"""What every writer needs: a private copy of an article's tree, heading levels, attribution."""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import panflute as pf

from ..filtering import walk
from ..config import format_pieces
from ..pandoc import doc_to_json
from ..safety.urls import link_target

# Articles open with `##` on Zenn, sometimes `#`. In the book the article title is the
# chapter heading (level 1), so the article's own top level becomes level 2.
TOP_ARTICLE_LEVEL = 2


def copy_doc(doc: pf.Doc) -> pf.Doc:
    """A deep copy: each writer rewrites the tree for its format without touching the others'."""
    copy = pf.load(io.StringIO(doc_to_json(doc)))
    copy.context = getattr(doc, "context", None)
    return copy


def heading_shift(doc: pf.Doc) -> int:
    """How many levels to move the article's headings so its top level is TOP_ARTICLE_LEVEL."""
    levels = []
    walk(doc, lambda e, d: levels.append(e.level) if isinstance(e, pf.Header) else None)
    return TOP_ARTICLE_LEVEL - min(levels) if levels else 0


@dataclass(frozen=True)
class Attribution:
    title: str
    author: str
    url: str


def attribution(book, article) -> Attribution:
    """The original of an article: its title, its author, its source URL."""
    author = str(article.meta.get("author") or book.author or "")
    target = link_target(book.source_url_for(article.slug))
    url = target.url if target is not None and target.kind == "web" else ""
    return Attribution(title=article.title, author=author, url=url)


def fragment_key(article, kind: str) -> str | None:
    """Cache key of a writer's per-article output: the article's own key, our code, and the
    files it embeds (an image edited in place changes the key). None: do not cache."""
    from ..cache import code_fingerprint, sha256
    if not article.cache_key:
        return None
    stamps = []
    for name in article.files:
        try:
            info = Path(name).stat()
            stamps.append(f"{name}:{info.st_mtime_ns}:{info.st_size}")
        except OSError:
            return None
    return sha256(code_fingerprint(), kind, article.cache_key, *stamps)


def cached_fragment(context, article, kind: str, compute):
    """A writer's per-article output from the cache, or computed and stored."""
    key = fragment_key(article, kind) if context is not None and context.cache else None
    if key is None:
        return compute()
    return context.cache.memo(kind, key, compute)


def diff_kind(line: str) -> str:
    """Zenn's diff marks (§3.2): '+'/'>' added, '-'/'<' removed, anything else context."""
    if line[:1] in ("+", ">"):
        return "add"
    if line[:1] in ("-", "<"):
        return "remove"
    return ""




ZENN_ARTICLE = r"https?://zenn\.dev/[^/?#]+/articles/([^/?#]+)/?(?:\?[^#]*)?(?:#(.*))?"
RELATIVE_ARTICLE = r"(?:\./|\.\./|/articles/|\.\./articles/)?([^/?#:]+?)(?:\.md)?/?(?:#(.*))?"


def article_patterns(book) -> list[re.Pattern]:
    """URLs that name an article of the book: the book's own source_url (else any Zenn
    article URL, when the book does not say whose articles these are), and relative ones.
    Group 1 is the slug, group 2 the fragment."""
    pieces = format_pieces(book.source_url) if book.source_url else None
    if pieces and len(pieces) == 2:
        head, tail = (re.escape(p) for p in pieces)
        absolute = re.compile(f"^{head}([^/?#]+){tail}/?(?:#(.*))?$")
    else:
        absolute = re.compile(f"^{ZENN_ARTICLE}$")
    return [absolute, re.compile(f"^{RELATIVE_ARTICLE}$")]


def article_named(href: str, patterns: list[re.Pattern], slugs) -> tuple[str, str | None] | None:
    """(slug, fragment) when `href` names an article of the book, else None."""
    for pattern in patterns:
        match = pattern.match(href)
        if match and match.group(1) in slugs:
            return match.group(1), match.group(2)
    return None


def id_slug(slug: str) -> str:
    """The slug as it can stand in ids and in `#...` links that pandoc writes unencoded: a file
    name may hold spaces, `#`, `%`, quotes. A slug that had to change gets a short hash of
    itself, so that `x y` and `x-y` (or `a#b` and `a%b`) never share their ids."""
    safe = re.sub(r"[^\w.-]+", "-", slug)
    if safe == slug:
        return slug
    return f"{safe}-{hashlib.sha256(slug.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
