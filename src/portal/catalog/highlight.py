"""Highlighted snippets of search results: the words of a query marked in a document's text,
found whatever their accents or Unicode form."""
import functools
import html
import re

from ..text.folding import INVISIBLE, MARKS, fold
from .textquery import query_words
from .vietnamese import ALNUM


def _char_classes():
    """folded character → regex class of the characters that fold to it (Latin, Vietnamese,
    full-width), for finding a folded word in the original text."""
    chars = {}
    for start, end in ((0x20, 0x250), (0x1E00, 0x1F00), (0xFF01, 0xFF5F)):
        for cp in range(start, end):
            out = fold(chr(cp))
            if len(out) == 1 and ALNUM.match(out):
                chars.setdefault(out, []).append(chr(cp))
    return {key: "[{}]".format("".join(map(re.escape, value))) for key, value in chars.items()}


_CLASSES = _char_classes()
_SKIP = f"[{MARKS}{INVISIBLE}]*"


def _word_pattern(word):
    return "".join(_CLASSES.get(c, re.escape(c)) + _SKIP for c in word)


def _matcher(words):
    words = sorted(words, key=len, reverse=True)
    body = "|".join(_word_pattern(w) for w in words)
    return re.compile(rf"(?<![^\W_])(?<![{MARKS}])(?:{body})(?![^\W_])", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def _query_matcher(user_text):
    """The compiled matcher of the words of ``user_text`` (None without words): a page of
    results highlights twenty snippets for the same query."""
    words = query_words(user_text)
    return _matcher(words) if words else None


def _clean(text):
    return re.sub(r"\s+", " ", text)


def _marked(text, matcher):
    out, position = [], 0
    if matcher is not None:
        for match in matcher.finditer(text):
            out.append(html.escape(_clean(text[position:match.start()])))
            out.append(f"<mark>{html.escape(_clean(match.group()))}</mark>")
            position = match.end()
    out.append(html.escape(_clean(text[position:])))
    return "".join(out)


def highlight(text, user_text, width=200):
    """An HTML snippet of about ``width`` characters of the plain ``text`` around the first
    word of the query found in it (compared folded: "thai nguyen" finds "Thái Nguyên"), the
    found words wrapped in ``<mark>``, everything else escaped, "…" where text was cut. The
    start of the text when nothing is found; '' for no text. Never raises."""
    try:
        if not isinstance(text, str):
            return ""
        try:
            width = max(20, int(width))
        except (TypeError, ValueError):
            width = 200
        text = text[:100_000]
        matcher = _query_matcher(user_text) if isinstance(user_text, str) else None
        first = matcher.search(text) if matcher else None
        start = 0
        if first is not None and first.end() > width:
            start = max(0, first.start() - width // 3)
        end = min(len(text), start + width)
        if start and end - start < width:
            start = max(0, end - width)
        if start:  # begin at a word
            space = re.search(r"\s", text[start:first.start()])
            start = start + space.end() if space else start
        if end < len(text):  # end at a word
            cut = text.rfind(" ", max(start, first.end() if first else start), end)
            end = cut if cut > start else end
        snippet = _marked(text[start:end], matcher).strip()
        return ("… " if start else "") + snippet + (" …" if end < len(text) else "")
    except Exception:  # noqa: BLE001 (never raises)
        try:
            return html.escape(str(text)[:width])
        except Exception:  # noqa: BLE001 (never raises)
            return ""
