"""The translation catalogs: complete, compiled, and in step with the sources."""
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[1] / "src" / "portal" / "locale"
ROOT = LOCALE.parents[2]


def catalog(lang):
    with open(LOCALE / lang / "LC_MESSAGES" / "portal.po", "rb") as f:
        return read_po(f, locale=lang)


def test_every_interface_string_has_a_vietnamese_translation():
    missing = [m.id for m in catalog("vi") if m.id and not m.string]
    assert missing == []


def test_english_catalog_covers_the_same_messages():
    assert {m.id for m in catalog("en") if m.id} == {m.id for m in catalog("vi") if m.id}


def test_compiled_catalogs_match_their_sources():
    for lang in ("vi", "en"):
        with open(LOCALE / lang / "LC_MESSAGES" / "portal.mo", "rb") as f:
            compiled = {m.id: m.string for m in read_mo(f) if m.id}
        source = {m.id: m.string for m in catalog(lang) if m.id and m.string}
        assert compiled == source, f"run `make i18n` to recompile {lang}"


def test_catalogs_hold_every_string_of_the_sources(tmp_path):
    pot = tmp_path / "fresh.pot"
    subprocess.run([str(Path(sys.executable).parent / "pot-create"), "-c",
                    str(ROOT / "lingua.cfg"), "-o", str(pot), "src/portal", "templates"],
                   cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as f:
        fresh = {m.id for m in read_po(f) if m.id}
    known = {m.id for m in catalog("vi") if m.id}
    assert fresh - known == set(), "run `make i18n` and translate the new strings"
