"""The catalog's Vietnamese full-text index: words, terms, lexicon and BM25 index (P5).

Built on zope.index's text index (a lexicon with a pipeline, an Okapi BM25 index) and
repoze.catalog's ``CatalogTextIndex``. Everything stored in the database is a module-level
class without state of its own (no lambdas, no closures), so the index pickles into ZODB.
ZODB records those classes by this module's path: they stay in this module.

Words. Text is cleaned (zero-width and other format characters removed, NFKC: decomposed
accents composed, full-width letters and non-breaking spaces made ordinary) and cut into
syllables on every character that is neither a letter, a digit nor a combining mark: "Thái
Nguyên" gives two syllables, "09-NQ/TU" gives "09", "nq", "tu" (searched as a phrase).

Terms. Each syllable is indexed as its *folded* form (lower case, accents removed, đ → d:
"thai") and, when that differs from what was written, also as an *exact* term: ``=`` followed
by the lower-case syllable without its tone mark, then the tone as a digit (0 none, 1 sắc,
2 huyền, 3 hỏi, 4 ngã, 5 nặng): "Thái" → "=thai1", "Đảng" → "=đang3", "quyết" → "=quyêt1".
Writing the tone apart makes the old and new tone placements ("hoà"/"hòa", "thuỷ"/"thủy") the
same exact term. Each pair of neighbouring syllables is indexed too, as one *pair* term
("nghi_quyet"): Vietnamese words are mostly two syllables, so pairs rank documents where the
typed words stand together first, and make phrase search cheap. A document's folded terms come
first, in order (zope.index's phrase check runs on them), then its exact and pair terms.

Speed on a large site (bench/search, docs/performance.md). BM25 scores of frequent terms are
kept between queries, per ZODB connection, until the index changes (``TermScores``); so are
the scores of a word with its exact spelling and pair (an OR clause) and the documents of a
checked phrase, whose check reads the stored words of each candidate one bucket at a time
without leaving them all in memory. Sorting by relevance with a limit finds the best scores
first and only then their documents.

What a citizen types becomes a query on this index in ``textquery.py``; snippets of the found
documents with the words marked are made in ``highlight.py``. The folding itself (``fold``) is
``portal/text/folding.py``.
"""
import functools
import heapq
import itertools
import re
import secrets
import unicodedata
from collections import OrderedDict

from BTrees.Length import Length
from repoze.catalog.indexes.text import CatalogTextIndex
from zope.index.text import widcode
from zope.index.text.lexicon import Lexicon
from zope.index.text.okapiindex import OkapiIndex
from zope.index.text.parsetree import ParseError, QueryError
from zope.index.text.queryparser import QueryParser
from zope.index.text.setops import mass_weightedIntersection, mass_weightedUnion

from ..text.folding import MARKS, fold, prepare
from .merging import WordInfoTree

MARK = "="  # first character of the exact terms; never starts a folded term
PAIR = "_"  # joins the two folded syllables of a pair term
MAX_WORD = 40  # characters of a syllable kept (long codes, URLs, base64...)
MAX_WID = 2 ** 28 - 1  # word ids are stored with zope.index's widcode: at most 28 bits
# The scores of a term (BM25 of every document having it) are kept between queries, per ZODB
# connection, for terms in at least CACHE_MIN_DOCS documents, up to CACHE_MAX_SCORES scores
# (8 bytes each) in all; see ``VietnameseOkapiIndex``.
CACHE_MIN_DOCS = 256
CACHE_MAX_SCORES = 4_000_000
# Buckets of stored words (about 60 documents each) a phrase check leaves in memory.
PHRASE_BUCKETS_WOKEN = 50

# Vietnamese tone marks (combining forms) and their digit in exact terms.
TONES = {"\u0301": "1", "\u0300": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}

WORD = re.compile(rf"(?:[^\W_]|[{MARKS}])+")
ALNUM = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=100_000)
def analyse(word):
    """(folded, exact) terms of one syllable as found by the splitter; exact is None when the
    syllable has no diacritic, folded is '' when nothing searchable is left."""
    word = word[:MAX_WORD].lower()
    folded = "".join(ALNUM.findall(fold(word)))
    if not folded:
        return "", None
    tone = "0"
    base = []
    for c in unicodedata.normalize("NFD", word):
        if c in TONES:
            if tone == "0":
                tone = TONES[c]
        else:
            base.append(c)
    base = unicodedata.normalize("NFC", "".join(base))
    if tone == "0" and base == folded:
        return folded, None
    return folded, MARK + base + tone


def syllables(text):
    """The (folded, exact) pairs of the syllables of ``text``, in order."""
    if not isinstance(text, str):
        return []
    return [pair for pair in map(analyse, WORD.findall(prepare(text))) if pair[0]]


def index_terms(text):
    """The terms indexed for ``text`` (a string or a list of strings): the folded syllables in
    order, then the exact terms of those with diacritics, then the pairs of neighbouring
    folded syllables."""
    folded, exact = [], []
    for part in [text] if isinstance(text, str) else (text or ()):
        for f, e in syllables(part):
            folded.append(f)
            if e:
                exact.append(e)
    return folded + exact + list(map(PAIR.join, itertools.pairwise(folded)))


_PAIR_TERM = re.compile(r"[^\W_]+_[^\W_]+")


def _is_special(term):
    """An exact or pair term, as ``query_text`` writes them."""
    if term[:1] == MARK:
        return (len(term) > 2 and term[-1] in "012345"
                and not any(c.isspace() or c in '"()' for c in term))
    return _PAIR_TERM.fullmatch(term) is not None


def query_terms(text):
    """The terms searched for a query atom (a string or a list of terms): exact terms as they
    are, anything else folded and split."""
    out = []
    for part in [text] if isinstance(text, str) else (text or ()):
        if _is_special(part):
            out.append(part)
        else:
            out.extend(f for f, _e in syllables(part))
    return out


class VietnameseSplitter:
    """The lexicon's pipeline element: text to the terms to index (``index_terms``)."""

    def process(self, lst):
        return index_terms(lst)

    def processGlob(self, lst):
        return query_terms(lst)


class VietnameseLexicon(Lexicon):
    """A lexicon indexing folded and exact terms, and searching query terms as they come from
    ``text_query`` (no globbing: ``*`` and ``?`` are separators).

    A new word gets a random id, as repoze.catalog's documents do: zope.index counts them up,
    so two transactions adding different new words took the same id and conflicted, and every
    new word went to the last bucket of ``_words`` and of the index's ``_wordinfo``."""

    def __init__(self):
        Lexicon.__init__(self, VietnameseSplitter())

    def _new_wid(self):
        self.wordCount.change(1)
        while True:
            wid = secrets.randbelow(MAX_WID) + 1
            if wid not in self._words:
                return wid

    def termToWordIds(self, text):
        get = self._wids.get
        return [get(term, 0) for term in query_terms(text)]

    def parseTerms(self, text):
        return query_terms(text)

    def isGlob(self, word):
        return False


class TermScores:
    """The BM25 scores of the terms searched lately (wid, ("phrase", wids) for a checked phrase,
    ("or", terms...) for a word with its spelling and pair → IFBucket docid → score), least
    recently used dropped first, at most ``limit`` scores in all. The buckets are shared: read
    them, never change them."""

    def __init__(self, limit=CACHE_MAX_SCORES):
        self.limit = limit
        self.size = 0
        self.buckets = OrderedDict()

    def get(self, key):
        bucket = self.buckets.get(key)
        if bucket is not None:
            self.buckets.move_to_end(key)
        return bucket

    def put(self, key, bucket):
        if len(bucket) > self.limit or key in self.buckets:
            return
        self.buckets[key] = bucket
        self.size += len(bucket)
        while self.size > self.limit:
            _wid, dropped = self.buckets.popitem(last=False)
            self.size -= len(dropped)

    def holds(self, result):
        """Whether ``result`` is one of the kept buckets."""
        return any(result is bucket for bucket in self.buckets.values())


class VietnameseOkapiIndex(OkapiIndex):
    """Okapi BM25, with phrases searched through their pair terms: only the documents having
    every pair of neighbouring syllables of the phrase are checked for the whole phrase, and
    their score is that of the pairs (instead of intersecting the postings of every word).

    Scoring a term is a pass over every document having it (tens of thousands for "thai",
    "nguyen", "dang" on a large site), done again on every query by zope.index. Here the scores
    of frequent terms are kept between queries in a ``TermScores`` held in a volatile attribute
    of ``_changes``, a counter bumped by every change of the index. ZODB drops that attribute
    whenever the counter changes, in this connection (bumped here, also the cache is dropped
    at once: a savepoint would make it look clean) or in another one (invalidated at the next
    transaction), so kept scores always belong to the state of the index this connection sees.
    Nothing is kept while this transaction has changed the index and not yet saved it.
    """

    _changes = None  # a Length; indexes made before it have none (no cache until a change)

    def clear(self):
        OkapiIndex.clear(self)
        self._wordinfo = WordInfoTree()  # merges concurrent saves (merging.py)
        self._changes = Length()

    def index_doc(self, docid, text):
        self._changed()
        return OkapiIndex.index_doc(self, docid, text)

    def unindex_doc(self, docid):
        self._changed()
        return OkapiIndex.unindex_doc(self, docid)

    def _changed(self):
        if self._changes is None:
            self._changes = Length()
        self._changes._v_scores = None
        self._changes.change(1)

    def term_scores(self):
        """The ``TermScores`` of this connection's view of the index, None when scores cannot
        be kept (an index outside ZODB or made before the counter, unsaved changes)."""
        changes = self._changes
        if changes is None or changes._p_jar is None:
            return None
        changes.value  # noqa: B018 (loaded: a ghost would keep the attribute when invalidated)
        if changes._p_changed:
            return None
        scores = getattr(changes, "_v_scores", None)
        if scores is None:
            scores = changes._v_scores = TermScores()
        return scores

    def _search_wids(self, wids):
        scores = self.term_scores()
        if scores is None:
            return OkapiIndex._search_wids(self, wids)
        found = []
        for wid in wids:
            bucket = scores.get(wid)
            if bucket is None:
                [(bucket, _weight)] = OkapiIndex._search_wids(self, [wid])
                if len(bucket) >= CACHE_MIN_DOCS:
                    scores.put(wid, bucket)
            found.append((bucket, 1))
        return found

    def search_phrase(self, phrase):
        words = self._lexicon.parseTerms(phrase)
        if len(words) < 2 or any(_is_special(word) for word in words):
            return OkapiIndex.search_phrase(self, phrase)
        get = self._lexicon._wids.get
        wids = [get(word, 0) for word in words]
        pairs = [get(PAIR.join(pair), 0) for pair in itertools.pairwise(words)]
        if not all(wid in self._wordinfo for wid in wids + pairs):
            return self.family.IF.BTree()
        hits = mass_weightedIntersection(self._search_wids(pairs), self.family)
        if not hits or len(words) == 2:
            return hits
        # Checking the whole phrase reads the words of every document found: kept too.
        scores = self.term_scores()
        key = ("phrase", tuple(wids))
        result = scores.get(key) if scores is not None else None
        if result is not None:
            return result
        result = self._having(hits, widcode.encode(wids))
        if scores is not None:
            scores.put(key, result)
        return result


    def _having(self, hits, code):
        """The documents of ``hits`` (docid → score) whose words contain ``code``.

        The words of a document are some kilobytes; those of every document of a frequent
        phrase, hundreds of megabytes on a large site. They are read one bucket of
        ``_docwords`` at a time, only where there are hits; past the first
        ``PHRASE_BUCKETS_WOKEN`` buckets that were not in memory, each is put back to sleep
        (a ghost) when done, so a frequent phrase does not fill the connection's cache.
        """
        result = self.family.IF.Bucket()
        woken = 0
        for low, high, bucket in tree_buckets(self._docwords):
            # (BTrees' excludemax without a maximum would leave out the last key.)
            found = hits.items(low, high, excludemax=True) if high is not None else (
                hits.items(low))
            if not found:
                continue
            asleep = getattr(bucket, "_p_status", None) == "ghost"
            for docid, weight in found:
                if bucket[docid].find(code) >= 0:
                    result[docid] = weight
            if asleep:
                woken += 1
                if woken > PHRASE_BUCKETS_WOKEN:
                    bucket._p_deactivate()
        return result


def tree_buckets(tree, low=None, high=None):
    """(low, high, bucket) for each bucket of the BTree ``tree`` in key order, ``bucket``
    holding the keys from ``low`` (None: the start) up to but not including ``high`` (None:
    the end), read from the inner nodes without loading the buckets. A tree small enough to
    keep its one bucket inside itself gives (low, high, tree)."""
    state = tree.__getstate__()
    if state is None:
        return
    children = state[0]
    if isinstance(children[0], tuple):  # one bucket, inside the tree's own state
        yield low, high, tree
        return
    for position in range(0, len(children), 2):
        child = children[position]
        start = children[position - 1] if position else low
        end = children[position + 1] if position + 1 < len(children) else high
        if isinstance(child, type(tree)):
            yield from tree_buckets(child, start, end)
        else:
            yield start, end, child


class VietnameseTextIndex(CatalogTextIndex):
    """A ``CatalogTextIndex`` with the Vietnamese lexicon and Okapi BM25 index.

    Differences from zope.index's ``TextIndex.apply``, for speed and safety: a query the
    parser cannot read matches nothing instead of raising; the scores are the raw BM25 sums,
    not divided by the query's weight (that division, a Python loop over every document
    found, changes no ranking). ``sort`` with a limit takes the best ``limit`` documents
    instead of sorting all of them.
    """

    def __init__(self, discriminator):
        lexicon = VietnameseLexicon()
        CatalogTextIndex.__init__(self, discriminator, lexicon, VietnameseOkapiIndex(lexicon))

    def apply(self, querytext, start=0, count=None):
        if not isinstance(querytext, str):
            return self.family.IF.BTree()
        try:
            results = execute(QueryParser(self.lexicon).parseQuery(querytext), self.index)
        except (ParseError, QueryError):
            return self.family.IF.BTree()
        if results is None:
            return self.family.IF.BTree()
        scores = self.index.term_scores() if hasattr(self.index, "term_scores") else None
        if scores is not None and scores.holds(results):
            results = self.family.IF.Bucket(results)  # one term's kept scores: a copy
        return results

    def sort(self, result, reverse=False, limit=None, sort_type=None):
        if not result or not limit or not hasattr(result, "items"):
            return CatalogTextIndex.sort(self, result, reverse, limit, sort_type)
        # The limit-th score from the scores alone (a heap over floats), then the documents
        # scoring at least that, in the order of the full sort (ties: the newer document, the
        # larger docid, first; the other way round when reversed), in half the time of a heap
        # over (docid, score) pairs on 80,000 documents.
        values = list(result.values())
        if reverse:
            threshold = heapq.nsmallest(limit, values)[-1]
            best = [(weight, docid) for docid, weight in zip(result.keys(), values)
                    if weight <= threshold]
        else:
            threshold = heapq.nlargest(limit, values)[-1]
            best = [(weight, docid) for docid, weight in zip(result.keys(), values)
                    if weight >= threshold]
        best.sort(reverse=not reverse)
        return [docid for _weight, docid in best[:limit]]


def execute(node, index):
    """``node.executeQuery(index)`` for a parsed query, the union of an OR of words (a word
    with its exact spelling and its pair with the next word, as ``query_text`` writes them)
    kept with the terms' scores: a query then only intersects its words' kept unions."""
    kind = node.nodeType()
    if kind == "AND":
        found, nots = [], []
        for child in node.getValue():
            if child.nodeType() == "NOT":  # as zope.index's AndNode
                result = child.getValue().executeQuery(index)
                if result is not None:
                    nots.append((result, 1))
            else:
                result = execute(child, index)
                if result is not None:
                    found.append((result, 1))
        result = mass_weightedIntersection(found, index.family)
        if nots:
            result = index.family.IF.difference(result, mass_weightedUnion(nots, index.family))
        return result
    scores = index.term_scores() if kind == "OR" and hasattr(index, "term_scores") else None
    if scores is None or any(child.nodeType() != "ATOM" for child in node.getValue()):
        return node.executeQuery(index)
    key = ("or", *(child.getValue() for child in node.getValue()))
    result = scores.get(key)
    if result is None:
        result = node.executeQuery(index)
        if len(result) >= CACHE_MIN_DOCS:
            scores.put(key, result)
    return result


def make_text_index(discriminator):
    """A new Vietnamese full-text index reading its text with ``discriminator`` (an attribute
    name or a module-level function ``(obj, default)``)."""
    return VietnameseTextIndex(discriminator)

