"""The URL policy against hostile inputs: every scheme but http, https and mailto refused,
in every spelling a browser, an EPUB reader or a PDF viewer might still read as that scheme."""
from __future__ import annotations

import html
import itertools

import pytest
from hypothesis import given, settings, strategies as st

from zennbook.safety.urls import MAX_URL_LENGTH, Refusal, Target, decide, link_target

# IANA's registered schemes (a sample of every kind: permanent, provisional, historical)
# and made-up ones: all of them are refused.
IANA = ("aaa aaas about acap acct cap cid coap crid data dav dict dns example file ftp geo go "
        "gopher h323 iax icap im imap info ipp iris jabber jar ldap mid msrp mtqp mupdate news nfs "
        "ni nih nntp opaquelocktoken pkcs11 pop pres reload rtsp service session shttp sieve sip "
        "sips sms snmp soap.beep soap.beeps stun tag tel telnet tftp thismessage tip tn3270 turn "
        "urn vemmi vnc ws wss xcon xmlrpc.beep xmpp z39.50r z39.50s javascript vbscript livescript "
        "blob filesystem chrome chrome-extension moz-extension ms-settings ms-word ssh smb afp "
        "itms steam skype slack zoommtg intent content res resource view-source ms-its mhtml "
        "jar help run launch shell x-unknown myscheme a b+c d.e f-g").split()
DANGEROUS = ("javascript", "vbscript", "data", "file", "run", "launch")
PAYLOAD = {"javascript": "alert(1)", "vbscript": "msgbox(1)", "data": "text/html;base64,PHNjcmlwdD4=",
           "file": "///etc/passwd", "run": "/usr/bin/xcalc", "launch": "calc.exe"}


def spellings(scheme: str) -> list[str]:
    """The ways a scheme can be written that some reader still reads as that scheme."""
    colon = [":", "&#58;", "&#x3a;", "&#X3A;", "&colon;", "%3A", "%3a", "&#0000058;", "&amp;#58;", "%253A"]
    forms = {scheme, scheme.upper(), scheme.title(), scheme[0].upper() + scheme[1:]}
    forms |= {scheme[:1] + "\t" + scheme[1:], scheme[:2] + "\n" + scheme[2:], scheme[:3] + "\r" + scheme[3:]}
    forms |= {html.escape(scheme[0]) + scheme[1:], f"&#{ord(scheme[0])};{scheme[1:]}",
              f"&#x{ord(scheme[0]):x};{scheme[1:]}", f"%{ord(scheme[0]):02X}{scheme[1:]}"}
    leading = ["", " ", "\x00", "\x01", "\x1f", "\t", "\n", "\x0b", "\x0c", " \x08 "]
    return [lead + form + c for lead, form, c in itertools.product(leading, sorted(forms), colon)]


@pytest.mark.parametrize("scheme", sorted(set(IANA)))
def test_every_other_scheme_is_refused(scheme):
    for url in (f"{scheme}:x", f"{scheme.upper()}://host/x", f" {scheme}:x "):
        assert isinstance(decide(url), Refusal), url


@pytest.mark.parametrize("scheme", DANGEROUS)
def test_every_spelling_of_a_dangerous_scheme_is_refused(scheme):
    urls = [s + PAYLOAD[scheme] for s in spellings(scheme)]
    assert len(urls) > 300
    allowed = [u for u in urls if link_target(u) is not None]
    assert allowed == []


@pytest.mark.parametrize("url, kind, written", [
    ("https://zenn.dev/a/articles/b", "web", "https://zenn.dev/a/articles/b"),
    ("http://example.com", "web", "http://example.com"),
    ("HTTP://EXAMPLE.COM", "web", "HTTP://EXAMPLE.COM"),
    ("https://exa\tmple.com/", "web", "https://example.com/"),
    ("  https://example.com/x  ", "web", "https://example.com/x"),
    ("https://example.com/a%3Ab?q=javascript:x#f", "web", "https://example.com/a%3Ab?q=javascript:x#f"),
    ("http://例え.jp/パス", "web", "http://例え.jp/パス"),
    ("http://xn--r8jz45g.jp/", "web", "http://xn--r8jz45g.jp/"),
    ("http://[::1]:8080/", "web", "http://[::1]:8080/"),
    ("https:\\\\example.com\\a", "web", "https://example.com/a"),
    ("//example.com/x", "web", "https://example.com/x"),
    ("mailto:a@example.com", "mail", "mailto:a@example.com"),
    ("mailto:a@example.com,b@example.org?subject=Hi&body=javascript:alert(1)", "mail",
     "mailto:a@example.com,b@example.org?subject=Hi&body=javascript:alert(1)"),
    ("mailto:?to=a@example.com&cc=b@example.com", "mail", "mailto:?to=a@example.com&cc=b@example.com"),
    ("#見出し", "fragment", "#見出し"),
    ("./other.md", "relative", "./other.md"),
    ("../articles/other#x", "relative", "../articles/other#x"),
    ("images/x.png", "relative", "images/x.png"),
    ("a\\b", "relative", "a/b"),
    ("?q=1", "relative", "?q=1"),
])
def test_allowed_urls_and_how_they_are_written(url, kind, written):
    assert decide(url) == Target(written, kind)


@pytest.mark.parametrize("url", [
    "http://user@example.com/", "http://user:pw@example.com/", "https://example.com@evil.example/",
    "http://a@b", "\\\\host\\share", "\\\\host\\share\\file.txt", "/\\host/share",
    "https:/example.com", "https:example.com", "http://", "http:///x", "http://exa mple.com/",
    "http://a<b/", "http://host:99999999/", "http://host:abc/", "http://[zz]/",
    "mailto:", "mailto:javascript:alert(1)", "mailto:a@b?x-evil=1", "mailto:a@b?to=javascript:alert(1)",
    "mailto:not-an-address", "java\u200bscript:alert(1)", "foo:bar", "C:\\Windows\\system32",
    "https://example.com/\x00x", "https://example.com/\x7fx",
    "https://example.com/" + "a" * MAX_URL_LENGTH, None, 42,
])
def test_hostile_urls_are_refused_with_a_reason(url):
    decision = decide(url)
    assert isinstance(decision, Refusal) and decision.reason


def test_the_length_cap():
    base = "https://example.com/"
    assert link_target(base + "a" * (MAX_URL_LENGTH - len(base))) is not None
    assert link_target(base + "a" * (MAX_URL_LENGTH - len(base) + 1)) is None


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=60), st.sampled_from(DANGEROUS))
def test_a_dangerous_scheme_with_any_tail_is_refused(tail, scheme):
    assert link_target(f"{scheme}:{tail}") is None


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(max_size=80))
def test_anything_allowed_reads_as_an_allowed_scheme_in_every_decoding(text):
    """What the policy allows never turns into another scheme when entities or percent
    escapes are decoded, and it is allowed again when decided a second time (idempotent)."""
    import urllib.parse
    target = link_target(text)
    if target is None:
        return
    assert link_target(target.url) == target or target.kind == "relative" and "\\" in text
    for form in (html.unescape(target.url), urllib.parse.unquote(target.url)):
        head = form.split(":", 1)[0] if ":" in form.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0] else ""
        assert head.strip().lower() in ("", "http", "https", "mailto"), (text, form)
