"""Character accuracy of mojibake repair: ours (zennbook.normalize) against ftfy alone.

Clean Japanese text is damaged the ways real files are damaged, then repaired; accuracy is
1 - (code points differing after alignment) / (code points of the clean text), counted two
ways after aligning lines: "matched" counts clean code points without a counterpart in the
repair (difflib), "edit" counts the Levenshtein distance, which also charges every extra
character left behind (so it goes below zero for text left as mojibake, 3 characters per
Japanese one). "non-ASCII" divides our errors by the non-ASCII characters only, which are
the only ones the damage touches.

Held-out text (never used to tune the model): seeds 000, 003 and 004, read at run time from
../shared/seeds. Tuning text (shown separately, for transparency): seed 002 and
tests/normalize/data/tuning_ja.md.

Damage, each applied to the whole file (`text.encode("utf-8").decode(...)`, then again for
the twice-damaged rows, each layer reading the UTF-8 bytes of the layer before):

- "bytes lost": the code page with errors="ignore" (undefined bytes dropped), soft hyphens
  stripped afterwards, as editors do with an "invisible" character.
- "U+FFFD": the code page with errors="replace" (each undefined byte becomes U+FFFD).
- "no loss" / "sloppy": ftfy's sloppy-windows-125x, which keeps undefined bytes as C1
  controls, as Windows does.
- twice: (a) cp1252 U+FFFD, twice (a file through two misconfigured tools); (b) sloppy
  cp1252 twice (the classic double encoding); (c) mixed pairs: cp1252 then cp1254 and
  Latin-1 then cp1252, U+FFFD; and cp1252 twice with bytes lost.

Correct text, the opposite test: tests/normalize/data/correct_latin_ja.md (our own text:
Japanese technical prose rich in Latin-1 and Latin Extended names, units, typography,
currency and math signs, and lines that are Latin text alone) must come back byte for byte,
as a file and as each line alone in a Zenn article. Lines changed must be 0. The same text
damaged every way above is repaired too: exactly where nothing was lost.

    .venv/bin/python bench/normalize_accuracy.py [--detail]
"""
from __future__ import annotations

import argparse
import difflib
import sys
import time
from pathlib import Path

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-125x)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from zennbook.normalize import normalize  # noqa: E402

SEEDS = REPO / ".." / "shared" / "seeds"
HELD_OUT = ("000", "003", "004")
TUNING_SEEDS = ("002",)
TUNING_FILES = (REPO / "tests" / "normalize" / "data" / "tuning_ja.md",)
CORRECT_TEXT = REPO / "tests" / "normalize" / "data" / "correct_latin_ja.md"
ARTICLE_HEAD = "---\ntitle: \"t\"\n---\n"
FTFY_CONFIGURED = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False,
                                       fix_latin_ligatures=False, normalization="NFC",
                                       unescape_html=False)


def lossy(code_page: str):
    return lambda text: text.encode("utf-8").decode(code_page, errors="ignore").replace("\xad", "")


def replaced(code_page: str):
    return lambda text: text.encode("utf-8").decode(code_page, errors="replace")


def lossless(code_page: str):
    return lambda text: text.encode("utf-8").decode(code_page)


def twice(inner, outer):
    return lambda text: outer(inner(text))


DAMAGE = {
    "cp1254, bytes lost (seed 001)": lossy("cp1254"),
    "cp1252, bytes lost": lossy("cp1252"),
    "cp1250, bytes lost": lossy("cp1250"),
    "cp1252, U+FFFD": replaced("cp1252"),
    "cp1252, no loss": lossless("sloppy-windows-1252"),
    "latin-1": lossless("latin-1"),
    "double-encoded UTF-8": twice(lossless("sloppy-windows-1252"),
                                  lossless("sloppy-windows-1252")),
    "twice: cp1252 U+FFFD, twice": twice(replaced("cp1252"), replaced("cp1252")),
    "twice: cp1252, then cp1254 U+FFFD": twice(replaced("cp1252"), replaced("cp1254")),
    "twice: Latin-1, then cp1252 U+FFFD": twice(lossless("latin-1"), replaced("cp1252")),
    "twice: cp1252 bytes lost, twice": twice(lossy("cp1252"), lossy("cp1252")),
}


def seed_texts(prefixes) -> dict[str, str]:
    texts = {}
    for prefix in prefixes:
        for path in sorted(SEEDS.glob(f"{prefix}_*.txt")):
            texts[f"seed {prefix}"] = path.read_text(encoding="utf-8")
    return texts


def levenshtein(a: str, b: str) -> int:
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def differences(expected: str, actual: str) -> tuple[int, int]:
    """(clean code points unmatched, Levenshtein distance), lines aligned first."""
    left, right = expected.split("\n"), actual.split("\n")
    unmatched = edits = 0
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = (zip(left[i1:i2], right[j1:j2]) if i2 - i1 == j2 - j1
                 else [("\n".join(left[i1:i2]), "\n".join(right[j1:j2]))])
        for old, new in pairs:
            matched = difflib.SequenceMatcher(None, old, new, autojunk=False)
            unmatched += len(old) - sum(block.size for block in matched.get_matching_blocks())
            edits += levenshtein(old, new)
    return unmatched, edits


def measure(texts: dict[str, str], damage) -> dict[str, tuple]:
    """Per text: (length, ours, configured ftfy's, default ftfy's differences)."""
    results = {}
    for name, clean in texts.items():
        damaged = damage(clean)
        ours = normalize(damaged, name).text
        reference = normalize(clean, name).text        # the same stage on the clean text
        results[name] = (len(clean), differences(reference, ours),
                         differences(clean, ftfy.fix_text(damaged, FTFY_CONFIGURED)),
                         differences(clean, ftfy.fix_text(damaged)),
                         sum(not char.isascii() for char in clean))
    return results


def accuracy(length: int, errors: int) -> str:
    return f"{1 - errors / length:.4f}"


def table(title: str, texts: dict[str, str], detail: bool) -> None:
    total_chars = sum(len(text) for text in texts.values())
    print(f"\n{title}: {', '.join(texts)} ({total_chars} characters)\n")
    print("| damage                             | ours matched | ours edit | ours non-ASCII "
          "| ftfy matched | ftfy edit | ftfy defaults matched |")
    print("|------------------------------------|-------------:|----------:|---------------:"
          "|-------------:|----------:|----------------------:|")
    for label, damage in DAMAGE.items():
        results = measure(texts, damage)
        rows = [(label, results.values())]
        if detail:
            rows += [(f"  {name}", [result]) for name, result in results.items()]
        for row_label, row in rows:
            row = list(row)
            length = sum(result[0] for result in row)
            non_ascii = sum(result[4] for result in row)
            ours, configured, default = ([sum(result[k][m] for result in row) for m in (0, 1)]
                                         for k in (1, 2, 3))
            print(f"| {row_label:<34} | {accuracy(length, ours[0]):>12} "
                  f"| {accuracy(length, ours[1]):>9} | {accuracy(non_ascii, ours[0]):>14} "
                  f"| {accuracy(length, configured[0]):>12} "
                  f"| {accuracy(length, configured[1]):>9} "
                  f"| {accuracy(length, default[0]):>21} |")


def correct_text_table() -> None:
    """Correct text must come back byte for byte: lines changed, as a file and line by line."""
    text = CORRECT_TEXT.read_text(encoding="utf-8")
    lines = text.split("\n")
    file_changed = changed_lines(text, normalize(text, CORRECT_TEXT.name).text)
    alone = [line for line in lines if line.strip()]
    alone_changed = sum(normalize(ARTICLE_HEAD + line, "line.md").text != ARTICLE_HEAD + line
                        for line in alone)
    ftfy_changed = changed_lines(text, ftfy.fix_text(text, FTFY_CONFIGURED))
    print(f"\nCorrect text: {CORRECT_TEXT.name} ({len(lines)} lines, {len(text)} characters)\n")
    print("| test                          | lines | ours changed | ours accuracy | ftfy changed |")
    print("|-------------------------------|------:|-------------:|--------------:|-------------:|")
    print(f"| the whole file                | {len(lines):>5} | {file_changed:>12} "
          f"| {accuracy(len(lines), file_changed):>13} | {ftfy_changed:>12} |")
    ftfy_alone = sum(ftfy.fix_text(line, FTFY_CONFIGURED) != line for line in alone)
    print(f"| each line alone in an article | {len(alone):>5} | {alone_changed:>12} "
          f"| {accuracy(len(alone), alone_changed):>13} | {ftfy_alone:>12} |")


def changed_lines(expected: str, actual: str) -> int:
    left, right = expected.split("\n"), actual.split("\n")
    return sum(a != b for a, b in zip(left, right)) + abs(len(left) - len(right))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--detail", action="store_true", help="a row per text as well")
    detail = parser.parse_args().detail
    held_out = seed_texts(HELD_OUT)
    if not held_out:
        sys.exit(f"seeds not found in {SEEDS}")
    tuning = seed_texts(TUNING_SEEDS) | {path.name: path.read_text(encoding="utf-8")
                                         for path in TUNING_FILES if path.exists()}
    started = time.perf_counter()
    table("Held-out text", held_out, detail)
    table("Tuning text", tuning, detail)
    correct_text_table()
    table("Correct text, damaged, then repaired", {CORRECT_TEXT.name: CORRECT_TEXT.read_text(
        encoding="utf-8")}, detail)
    print(f"\n({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
