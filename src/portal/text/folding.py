"""Vietnamese folding: text compared without case, accents or Unicode form.

The one ``fold()`` of the portal: readable ids from titles (``content/ids.py``), the sorting of
the contents table and the catalog's text index (``catalog/vietnamese.py``) all compare text
through it, so "Thái Nguyên", "THAI NGUYEN" and a decomposed "Thái Nguyên" are the same words
everywhere.
"""
import unicodedata

# Letters that look like Đ/đ without decomposing to D: Icelandic eth, African D.
_D_LIKE = {"đ": "d", "ð": "d", "ɖ": "d"}

# Combining marks (allowed inside words, ignored when comparing).
MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# Invisible characters found in pasted text, removed before splitting (ZWSP: a space).
INVISIBLE = "\u00ad\u034f\u061c\u180e\u200c-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
_INVISIBLE_TABLE = {cp: None for cp in range(0x2066, 0x2070)}
_INVISIBLE_TABLE.update({cp: None for cp in (0x00AD, 0x034F, 0x061C, 0x180E, 0xFEFF)})
_INVISIBLE_TABLE.update({cp: None for cp in range(0x200C, 0x2010)})
_INVISIBLE_TABLE.update({cp: None for cp in range(0x202A, 0x202F)})
_INVISIBLE_TABLE.update({cp: None for cp in range(0x2060, 0x2065)})
_INVISIBLE_TABLE[0x200B] = " "


class _FoldTable(dict):
    """``str.translate`` table folding one character at a time, filled on first use."""

    def __missing__(self, cp):
        ch = chr(cp)
        category = unicodedata.category(ch)
        if cp == 0x200B or ch.isspace():
            out = " "
        elif category in ("Mn", "Me", "Cf"):
            out = ""
        else:
            out = "".join(c for c in unicodedata.normalize("NFKD", ch)
                          if not unicodedata.combining(c)).lower()
            out = "".join(_D_LIKE.get(c, c) for c in unicodedata.normalize("NFKD", out)
                          if not unicodedata.combining(c))
        self[cp] = out
        return out


_FOLD = _FoldTable()


def fold(text):
    """``text`` in lower case without diacritics, đ/Đ as d, whatever its Unicode form.

    Precomposed or decomposed accents, full-width letters, non-breaking and other spaces (made
    a plain space), zero-width and format characters (removed): "Thái Nguyên", "THAI NGUYEN"
    and "tha\\u0301i nguye\\u0302\\u0301n" all give "thai nguyen". Other characters are kept.
    """
    if not isinstance(text, str):
        return ""
    return text.translate(_FOLD)


def prepare(text):
    """Invisible characters removed, NFKC (composed accents, ordinary letters and spaces)."""
    return unicodedata.normalize("NFKC", text.translate(_INVISIBLE_TABLE))

