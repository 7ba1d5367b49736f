"""What an untrusted course may reach, decided in one place.

Articles are untrusted input: a course is often cloned from someone else. Every stage that
lets a path, a URL, raw markup, math or an external tool near the book asks this package:

    paths       a path named by book.yaml or an article, resolved and kept inside the book
    urls        the one URL policy (links, images, cards, embeds, book.yaml) for every format
    svg         SVG images and diagrams reduced to drawing: no script, events or references
    markup      raw HTML and the attributes an article may set, for the page and the EPUB
    chars       control and bidi characters kept out of messages, terminals and text
    yamlload    front matter and book.yaml read bounded: no tags, aliases or merge keys
    pdf         no PDF action but a web link (JavaScript, Launch, embedded files removed)
    sandbox     external tools (LuaLaTeX, pandoc, Chromium) jailed, with time and memory limits

Math has its own package (zennbook/math): a formula is parsed against KaTeX's whitelist and
written again, so nothing of its source reaches TeX but characters. tests/safety/test_policy.py
holds one table of hostile inputs per concern against these functions.
"""
