"""Links across chapters: each <a href> kept, pointed at another chapter's file, or made text."""
from __future__ import annotations

from urllib.parse import unquote

from lxml import etree

from ...diagnostics import Code
from ...safety.urls import link_target
from ..common import article_named, article_patterns, id_slug
from .chapters import id_prefix
from .xhtml import X, XHTML_NS, Chapter

# -- links --------------------------------------------------------------------------------

def resolve_links(chapters: list[Chapter], book, diagnostics) -> None:
    """Every <a href> of every chapter: kept, pointed at another chapter's file, or, when it
    leads nowhere inside the book and is not a URL the policy allows, turned into text (with
    a warning)."""
    id_files = {i: c.file_name for c in chapters for i in c.ids}
    slug_files = {c.article.slug: c.file_name for c in chapters}
    patterns = article_patterns(book)
    for chapter in chapters:
        for link in chapter.root.xpath("//x:a[@href]", namespaces=X):
            href = link.get("href")
            line = link.attrib.pop("data-line", "")      # html.render's, for this warning only
            target = resolve_href(href, chapter, id_files, slug_files, patterns)
            if target is None:
                unlink(link)
                written = href.replace(f"#{id_prefix(chapter.article)}", "#", 1)   # as in the source
                diagnostics.reporter(chapter.article.label).warn(
                    Code.EPUB_LINK, f"link to {written[:200]!r} leads nowhere in the book; kept as text",
                    int(line) if line.isdigit() else None)
            elif target != href:
                link.set("href", target)


def resolve_href(href: str, chapter: Chapter, id_files: dict, slug_files: dict, patterns) -> str | None:
    if href.startswith("#"):
        target = unquote(href[1:])
        if target in chapter.ids:
            return href
        return f"{id_files[target]}#{target}" if target in id_files else None
    named = article_named(href, patterns, slug_files)
    if named is not None:
        return chapter_href(*named, slug_files, id_files)
    target = link_target(href)
    return target.url if target is not None and target.kind in ("web", "mail") else None


def chapter_href(slug: str, fragment: str | None, slug_files: dict, id_files: dict) -> str:
    target = f"{id_slug(slug)}--{unquote(fragment)}" if fragment else ""
    if target and id_files.get(target) == slug_files[slug]:
        return f"{slug_files[slug]}#{target}"
    return slug_files[slug]


def unlink(link: etree._Element) -> None:
    """An <a> that leads nowhere becomes a <span> with its text (the target kept as data)."""
    href = link.attrib.pop("href")
    link.tag = f"{{{XHTML_NS}}}span"
    link.set("class", " ".join(filter(None, [link.get("class"), "link-unresolved"])))
    link.set("data-href", href)
    for name in ("role", "rel", "hreflang", "type", "target", "download"):
        link.attrib.pop(name, None)
