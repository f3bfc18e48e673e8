"""What a citizen types in the search box, as a query on the Vietnamese text index
(``vietnamese.py``), and the completions offered while typing.

A word typed without accents searches its folded term only: "ban" finds "Ban", "bàn" and "bản"
alike. A word typed with accents searches ``(folded OR exact)``: the documents found are the
same, but those with the exact spelling get the exact term's score on top and rank first;
likewise ``(folded OR pair with the next word)``. Words are ANDed; "quoted text" and words
joined by punctuation ("09-NQ/TU", "Đảng-bộ") are phrases. The query parser's syntax is *not*
offered to citizens: "AND", "OR", "NOT" typed in capitals between words are dropped (in lower
case, or in quotes, they are words: "not" may be "nốt" typed without accents), "-" does not
exclude, ``*``, ``?`` and parentheses are separators, an unbalanced quote is ignored. At most
``MAX_QUERY_CHARS`` characters are read and ``MAX_TERMS`` syllables kept.
"""
import re

from repoze.catalog.query import Contains

from ..text.folding import prepare
from .vietnamese import PAIR, WORD, syllables

MAX_TERMS = 20  # syllables kept from a query
MAX_QUERY_CHARS = 1000  # characters of a query read at all
MAX_SCAN = 200  # lexicon words looked at by prefix_terms
# Typographic double quotes typed on phones count as quotes in queries.
_QUOTES_TABLE = {ord(q): '"' for q in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\uff02"}

_PHRASE = re.compile(r'"([^"]*)"')
_OPERATORS = frozenset({"AND", "OR", "NOT"})


def parse_query(user_text):
    """What a citizen typed, as groups of (folded, exact) syllables: a group of one is a word,
    a longer group a phrase. Never raises; at most ``MAX_TERMS`` syllables, duplicates
    dropped."""
    if not isinstance(user_text, str):
        return []
    text = prepare(user_text[:MAX_QUERY_CHARS]).translate(_QUOTES_TABLE)
    pieces = []  # (quoted, text)
    position = 0
    for match in _PHRASE.finditer(text):
        pieces.append((False, text[position:match.start()]))
        pieces.append((True, match.group(1)))
        position = match.end()
    pieces.append((False, text[position:].replace('"', " ")))
    groups, seen, budget = [], set(), MAX_TERMS
    for quoted, piece in pieces:
        chunks = [piece] if quoted else [c for c in piece.split() if c not in _OPERATORS]
        for chunk in chunks:
            group = tuple(syllables(chunk)[:budget])
            if not group or group in seen:
                continue
            seen.add(group)
            groups.append(group)
            budget -= len(group)
            if budget <= 0:
                return groups
    return groups


def query_words(user_text):
    """The distinct folded syllables of a query, in order (for highlighting)."""
    words = []
    for group in parse_query(user_text):
        for folded, _exact in group:
            if folded not in words:
                words.append(folded)
    return words


def query_text(user_text):
    """The zope.index query text for what a citizen typed, or None when nothing searchable
    remains.

    Each clause matches the documents containing one word (or phrase); the clauses are ANDed.
    A word's clause also ORs terms found only in some of those documents, adding to their
    score without changing which documents match: the exact spelling when the word was typed
    with accents, and the pair with the next word typed (documents where the words stand
    together, as in "nghị quyết", "đại hội", rank first). A phrase of two syllables is its
    pair term; a longer one a zope.index phrase search on the folded syllables.
    """
    groups = parse_query(user_text)
    clauses = []
    for number, group in enumerate(groups):
        if len(group) == 2:
            clauses.append(PAIR.join(f for f, _e in group))
        elif len(group) > 2:
            clauses.append('"{}"'.format(" ".join(f for f, _e in group)))
        for folded, exact in group:
            terms = [f'"{folded}"'] if len(group) == 1 else []
            if exact:
                terms = [f'"{folded}"', exact]
            following = groups[number + 1] if number + 1 < len(groups) else ()
            if len(group) == 1 and len(following) == 1 and following[0][0] != folded:
                terms.append(folded + PAIR + following[0][0])
            if len(terms) == 1:
                clauses.append(terms[0])
            elif terms:
                clauses.append("({})".format(" OR ".join(terms)))
    return " AND ".join(clauses) if clauses else None


def text_query(index_name, user_text):
    """A repoze.catalog ``Contains`` query on the text index ``index_name`` for what a citizen
    typed, or None when nothing searchable remains (empty, only punctuation or operators).
    Combine it with other queries by ``&``; sort by relevance with ``sort_index=index_name``."""
    text = query_text(user_text)
    return None if text is None else Contains(index_name, text)


def _as_set(family, doc2score):
    if isinstance(doc2score, dict):
        return family.IF.Set(doc2score.keys())
    return doc2score


def prefix_terms(index, prefix, limit=10):
    """Completions of what is being typed in the search box: the last (unfinished) word of
    ``prefix`` completed from the index's words with that folded prefix, the words before it
    kept (folded): "nghị q" → ["nghi quyet", "nghi quan", ...]. After another word, only words
    found right after it (pair terms) are proposed. Ranked by the number of documents
    containing the completion and all the words typed before it; at most ``limit``; [] when
    nothing fits or ``prefix`` ends with a space. ``index`` is the text index (or its Okapi
    index). Never raises."""
    try:
        okapi = getattr(index, "index", index)
        wids, info, family = okapi.lexicon._wids, okapi._wordinfo, okapi.family
        limit = max(1, min(int(limit), 50))
        if not isinstance(prefix, str) or not prefix.strip() or prefix[-1].isspace():
            return []
        words = [f for f, _e in syllables(prefix[-MAX_QUERY_CHARS:])][-MAX_TERMS:]
        if not words or not WORD.search(prepare(prefix[-1])):
            return []
        *before, last = words
        context = None
        for word in before[:-1]:
            docs = info.get(wids.get(word, 0))
            if not docs:
                return []
            docs = _as_set(family, docs)
            context = docs if context is None else family.IF.intersection(context, docs)
        start = before[-1] + PAIR + last if before else last
        skip = len(start) - len(last)
        found = []
        for scanned, term in enumerate(wids.keys(min=start)):
            if scanned >= MAX_SCAN or not term.startswith(start):
                break
            docs = info.get(wids[term])
            if not docs or PAIR in term[skip:]:
                continue
            if context is None:
                count = len(docs)
            else:
                count = len(family.IF.intersection(context, _as_set(family, docs)))
            if count:
                found.append((-count, term[skip:]))
        found.sort()
        head = " ".join(before)
        return [f"{head} {word}" if head else word for _count, word in found[:limit]]
    except Exception:  # noqa: BLE001 (never raises)
        return []
