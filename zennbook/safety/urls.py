"""The one URL policy: which URLs may become a link, in every output and from every source.

    decide(url)       -> Target (the URL to write and its kind) or Refusal (why not)
    link_target(url)  -> Target | None

A URL is read the way the most lenient reader of our outputs would read it (a browser, an
EPUB reader, a PDF viewer): controls and spaces trimmed at the ends, tabs and newlines
dropped anywhere, backslashes as slashes, `//host` as a web address. A URL may also have
come through markup, so HTML entities and percent escapes are decoded too, repeatedly, and
every decoding must pass: `javascript&#58;`, `&#x6A;avascript:` and `javascript%3A` are the
same `javascript:` to someone.

Allowed: http and https with a host and no user name or password, mailto with addresses and
ordinary headers, in-book fragments (`#id`) and relative links (the writers decide whether a
relative link names an article of the book). Everything else is refused; the caller keeps
the link's text without the link. Anything before the first ':' (when it comes before any
'/', '?' or '#') must be exactly one of the allowed schemes, whatever it decodes to.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_URL_LENGTH = 8 * 1024
WEB_SCHEMES = frozenset({"http", "https"})
ALLOWED_SCHEMES = WEB_SCHEMES | {"mailto"}
MAIL_HEADERS = frozenset({"to", "cc", "bcc", "subject", "body", "in-reply-to"})
_EDGES = "".join(chr(c) for c in range(0x21))             # C0 controls and space: trimmed
_DROPPED = re.compile(r"[\t\n\r]")                         # removed anywhere by the URL parser
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HEAD = re.compile(r"^([^:/?#]*):")                        # what stands before a scheme's ':'
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\"'`{}]")
_ADDRESS = re.compile(r"^[^\s@:<>()\[\]\\,;\"/?#]+@[^\s@:<>()\[\]\\,;\"/?#]+$")
_DECODE_ROUNDS = 4


@dataclass(frozen=True)
class Target:
    url: str          # the URL to write, as a reader will follow it
    kind: str         # "web", "mail", "fragment" or "relative"


@dataclass(frozen=True)
class Refusal:
    reason: str       # for the warning: "the scheme 'javascript:' is not allowed", ...


def decide(url: str) -> Target | Refusal:
    """The one decision: `url` as a link target, or why it may not be one."""
    if not isinstance(url, str):
        return Refusal("not text")
    if len(url) > MAX_URL_LENGTH:
        return Refusal(f"longer than {MAX_URL_LENGTH // 1024} KiB")
    cleaned = clean(url)
    if _CONTROL.search(cleaned):
        return Refusal("it holds a control character")
    refusal = scheme_refusal(cleaned)
    if refusal:
        return refusal
    return classify(cleaned)


def link_target(url: str) -> Target | None:
    decision = decide(url)
    return decision if isinstance(decision, Target) else None


def safe_href(url: str) -> str | None:
    """The URL to write in an href (or a PDF link), or None when it must stay text."""
    target = link_target(url)
    return target.url if target else None


def web_target(url: str) -> Target | Refusal:
    """An absolute http(s) URL (book.yaml's source and license URLs), or why not."""
    decision = decide(url)
    if isinstance(decision, Target) and decision.kind != "web":
        return Refusal("expected an absolute http:// or https:// URL")
    return decision


def clean(url: str) -> str:
    """What a browser's URL parser starts from: ends trimmed, tabs and newlines dropped."""
    return _DROPPED.sub("", url.strip(_EDGES))


def decodings(url: str) -> set[str]:
    """`url` and every form entity- and percent-decoding give it, cleaned again each time."""
    found, frontier = {url}, {url}
    for _ in range(_DECODE_ROUNDS):
        frontier = {clean(d) for text in frontier for d in (html.unescape(text), unquote(text))} - found
        if not frontier:
            break
        found |= frontier
    return found


def scheme_refusal(url: str) -> Refusal | None:
    """A refusal when any decoding of `url` names a scheme that is not allowed."""
    for form in sorted(decodings(url)):
        head = _HEAD.match(form)
        if head and head.group(1).lower() not in ALLOWED_SCHEMES:
            shown = head.group(1)[:40]
            return Refusal(f"the scheme {shown + ':'!r} is not allowed (only http, https, mailto "
                           "and links inside the book)")
    return None


def classify(url: str) -> Target | Refusal:
    head = _HEAD.match(url)
    scheme = head.group(1).lower() if head else ""
    if scheme == "mailto":
        return mail_target(url)
    if scheme in WEB_SCHEMES:
        return web_address(head.group(1), url[head.end():])
    if url.startswith("#"):
        return Target(url, "fragment")
    if url.startswith(("//", "\\\\", "/\\", "\\/")):
        if "\\" in url[:2]:
            return Refusal("a Windows share path (\\\\host\\share) is not a web address")
        return web_address("https", url)
    return Target(url.replace("\\", "/"), "relative")


def web_address(scheme: str, rest: str) -> Target | Refusal:
    """`scheme:rest` (the scheme as written) as a browser reads an http(s) URL: backslashes
    are slashes."""
    rest = rest.replace("\\", "/")
    if not rest.startswith("//"):
        return Refusal(f"a {scheme}: URL without '//host'")
    url = f"{scheme}:{rest}"
    try:
        parts = urlsplit(url)
        parts.port                      # raises for a port that is not a number
    except ValueError:
        return Refusal("its host or port cannot be read")
    if "@" in parts.netloc:
        return Refusal("a URL with a user name or password before the host")
    if not parts.hostname or not host_is_valid(parts.hostname):
        return Refusal("its host is missing or not a host name")
    return Target(url, "web")


def host_is_valid(hostname: str) -> bool:
    if ":" in hostname:                                   # an IPv6 address, from [...]
        return bool(re.fullmatch(r"[0-9a-f:.]+", hostname))
    return not _FORBIDDEN_HOST.search(hostname) and not hostname.startswith(".")


def mail_target(url: str) -> Target | Refusal:
    """mailto:addr,addr?subject=...&body=...: addresses that are addresses, known headers."""
    body = url.split(":", 1)[1]
    path, _, query = body.partition("?")
    addresses = [a for a in unquote(path).split(",") if a.strip()]
    try:
        headers = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        return Refusal("its mail headers cannot be read")
    for name, value in headers:
        if name.lower() not in MAIL_HEADERS:
            return Refusal(f"the mail header {name[:30]!r} is not allowed")
        if name.lower() in ("to", "cc", "bcc"):
            addresses += [a for a in value.split(",") if a.strip()]
    if not addresses:
        return Refusal("a mailto: URL without an address")
    if not all(_ADDRESS.match(a.strip()) for a in addresses):
        return Refusal("a mailto: URL whose address is not an e-mail address")
    return Target(url, "mail")
