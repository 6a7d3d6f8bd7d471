"""Links in post text, found the way twitter-text finds them.

X counts every link as 23 characters, Mastodon does the same for links with a protocol, and
Threads refuses more than five links, so all three need to know exactly what a platform will
take for a link. This is a port of twitter-text's URL extractor (v3, Apache License 2.0): the same
regular expressions and the same follow-up checks (DNS label length after punycode, t.co slugs,
bare domains only with an ASCII name and a known top-level domain). It is checked against
twitter-text's conformance suite in ``tests/core/test_twitter_conformance.py``.
"""

from __future__ import annotations

import functools
import re
from functools import lru_cache

from core.platforms._tlds import COUNTRY, GENERIC

_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]\^_{|}~$"
_SPACES = r"\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
INVALID_CHARS = r"\ufffe\ufeff\uffff"
"""Characters that make a post invalid on X (non-characters and the byte order mark)."""
_DIRECTIONAL = r"\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_LATIN_ACCENTS = (
    r"\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259"
    r"\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = r"\u0400-\u04ff"

MAX_URL_LENGTH = 4096
MAX_LABEL_LENGTH = 63
MAX_TCO_SLUG_LENGTH = 40

_Trie = dict[str, "_Trie"]


def _alternation(words: frozenset[str]) -> str:
    """A regular expression matching any of ``words``, as a trie so matching stays fast.

    Longer words are tried before their prefixes, like twitter-text's reverse-sorted list.
    """
    trie: _Trie = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = "(?:" + "|".join(branches) + ")" if len(branches) > 1 or "" in node else branches[0]
        return body + "?" if "" in node else body

    return "(?:" + emit(trie) + ")"


def _tld(words: frozenset[str]) -> str:
    return f"(?:{_alternation(words)}(?=[^0-9a-zA-Z@+-]|\\Z))"


# twitter-text leaves labels and label counts unbounded and rejects long labels afterwards;
# bounds in the pattern keep pasted junk such as "a.a.a.…" from costing quadratic time. Only a
# domain with a label over 63 characters (which DNS cannot hold) or more than 32 labels (which
# no real site has) can come out differently: then it counts as written, a longer count.
_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{INVALID_CHARS}{_DIRECTIONAL}]"
_SUBDOMAIN = f"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR}){{0,61}})?{_DOMAIN_CHAR}\\.)"
_DOMAIN_NAME = f"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR}){{0,61}})?{_DOMAIN_CHAR}\\.)"
_PUNYCODE = r"(?:xn--[\-0-9a-z]+)"

_PATH_CHAR = rf"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN_ACCENTS}]"
_BALANCED_PARENS = rf"\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*))\)"
_PATH_END = rf"(?:[+\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|{_BALANCED_PARENS})"
_PATH = (
    rf"(?:(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_END})"
    rf"|(?:@{_PATH_CHAR}+/))"
)
_QUERY_CHAR = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#/]"
_PRECEDING = rf"(?:[^A-Za-z0-9@＠$#＃{INVALID_CHARS}]|[{_DIRECTIONAL}]|^)"


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The link extractor and the ASCII-domain pattern, built on first use: with ~1,600
    domain endings they take ~130 ms to compile, which the app's start should not pay."""
    tlds = f"(?:{_tld(GENERIC)}|{_tld(COUNTRY)}|{_PUNYCODE})"
    domain = f"(?:{_SUBDOMAIN}{{0,31}}{_DOMAIN_NAME}{tlds})"
    extract = re.compile(
        rf"({_PRECEDING})"  # 1: the character before the link
        rf"((https?://)?"  # 2: the link; 3: its protocol
        rf"({domain})"  # 4: domain
        r"(?::([0-9]+))?"  # 5: port
        rf"(/{_PATH}*)?"  # 6: path
        rf"(\?{_QUERY_CHAR}*{_QUERY_END})?)",  # query
        re.IGNORECASE,
    )
    ascii_domain = re.compile(rf"(?:(?:[\-a-z0-9{_LATIN_ACCENTS}]+)\.)+{tlds}", re.IGNORECASE)
    return extract, ascii_domain


_TCO = re.compile(rf"https?://t\.co/([a-z0-9]+)(?:\?{_QUERY_CHAR}*{_QUERY_END})?", re.IGNORECASE)
_BAD_BEFORE_BARE_DOMAIN = re.compile(r"[-_./]\Z")


def _label_fits(label: str) -> bool:
    """Whether a DNS label is 1 to 63 characters long once punycode-encoded."""
    if not label.isascii():
        try:
            label = "xn--" + label.encode("punycode").decode("ascii")
        except UnicodeError:
            return False
    return 1 <= len(label) <= MAX_LABEL_LENGTH


def _is_valid(url: str, protocol: str, domain: str) -> bool:
    if domain[:4].lower() == "xn--" and not _patterns()[1].search(domain):
        return False  # punycode cannot contain non-ASCII characters
    if not all(_label_fits(label) for label in domain.split(".")):
        return False
    return len(protocol) + len(url) <= MAX_URL_LENGTH


@lru_cache(maxsize=64)
def find_links(text: str, *, need_protocol: bool = False) -> tuple[tuple[int, int], ...]:
    """The ``(start, end)`` spans of the links in ``text``, in order.

    ``need_protocol`` leaves out bare domains such as ``example.com`` (Mastodon only links URLs
    that start with ``http://`` or ``https://``).
    """
    if "." not in text or (need_protocol and ":" not in text):
        return ()
    spans: list[tuple[int, int]] = []
    for match in _patterns()[0].finditer(text):
        before, url, protocol, domain, path = match.group(1, 2, 3, 4, 6)
        start, end = match.start(2), match.end(2)
        if not _is_valid(url, protocol or "https://", domain):
            continue
        if protocol:
            tco = _TCO.match(url)
            if tco:
                if len(tco.group(1)) > MAX_TCO_SLUG_LENGTH:
                    continue
                end = start + tco.end()  # a t.co link ends at its slug (and query)
            spans.append((start, end))
            continue
        if need_protocol or _BAD_BEFORE_BARE_DOMAIN.search(before):
            continue
        found = [(start + m.start(), start + m.end()) for m in _patterns()[1].finditer(domain)]
        if found and path:
            found[-1] = (found[-1][0], end)
        spans.extend(found)
    return tuple(spans)
