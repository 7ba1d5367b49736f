"""What an untrusted course may reach, decided in one place.

Articles are untrusted input: a course is often cloned from someone else. Every stage that
lets a path, a URL, raw markup, math or an external tool near the book asks this package:

    paths       a path named by book.yaml or an article, resolved and kept inside the book
    urls        the one URL policy (links, images, cards, embeds, book.yaml) for every format
    svg         SVG images and diagrams reduced to drawing: no script, events or references
    sandbox     external tools (LuaLaTeX, pandoc, Chromium) jailed, with time and memory limits
"""
