"""Answer language vs prompt language, with langdetect, decided the way gavel.language decides.

gavel detects with CLD2 after a script rule; Debian's Python has langdetect instead, so the two
detectors can name different languages for the same text. What both sides share:

  * the text examined: gavel's prose extraction (fenced code blocks, inline code spans and URLs
    removed; control characters and runs of spaces become one space; NFC);
  * "undecided" rules: no letters; fewer than 6 letters when the dominant script names the
    language by itself (Greek, Hebrew, Thai, ... and Han/kana/Hangul), fewer than 30 otherwise;
    the dominant script's share times the detector's share below 0.6;
  * the script rule: Hangul -> ko, Han with at least 5% kana -> ja, Han without kana -> zh,
    Greek -> el, Hebrew -> he, ... decided without a detector;
  * codes: the primary subtag only (zh-cn -> zh), with gavel's match groups (no/nb/nn, ms/id,
    hr/sr/bs).

Python has no Unicode script property, so a letter's script is the first word of its Unicode
name (LATIN, CYRILLIC, GREEK, CJK, HIRAGANA, ...); gavel asks ICU. They agree on letters of the
common scripts; see README.md for what is known to differ.
"""

import threading
import unicodedata

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

MIN_LETTERS = 30
MIN_SCRIPT_LETTERS = 6
MIN_SHARE = 0.6
MIN_KANA_SHARE_FOR_JAPANESE = 0.05
MAX_BYTES = 65536

SINGLE_LANGUAGE_SCRIPTS = {
    "GREEK": "el", "HEBREW": "he", "THAI": "th", "ARMENIAN": "hy", "GEORGIAN": "ka",
    "TAMIL": "ta", "TELUGU": "te", "KANNADA": "kn", "MALAYALAM": "ml", "GUJARATI": "gu",
    "GURMUKHI": "pa", "ORIYA": "or", "SINHALA": "si", "KHMER": "km", "LAO": "lo", "MYANMAR": "my",
}
HAN_GROUP = {"HAN", "HIRAGANA", "KATAKANA", "BOPOMOFO"}
MATCH_KEY = {"nn": "no", "nb": "no", "id": "ms", "bs": "hr", "sr": "hr", "iw": "he"}

# langdetect draws from the global `random` module after seeding it, so concurrent detections
# in threads would change each other's answers: one at a time.
DetectorFactory.seed = 0
_LOCK = threading.Lock()


def _is_removed(c):
    o = ord(c)
    return o < 0x20 or 0x7F <= o <= 0x9F or (0xFDD0 <= o <= 0xFDEF) or (o & 0xFFFE) == 0xFFFE


def _fence_at(line):
    i = 0
    while i < 3 and i < len(line) and line[i] == " ":
        i += 1
    if i == len(line) or line[i] not in "`~":
        return None
    ch, n = line[i], 0
    while i + n < len(line) and line[i + n] == ch:
        n += 1
    if n < 3 or (ch == "`" and "`" in line[i + n:]):
        return None
    return ch, n, i + n


def extract_prose(text):
    """gavel.language's ExtractProse with strip_markup (prose.cpp)."""
    out = []

    def space():
        if out and out[-1] != " ":
            out.append(" ")

    open_fence = None
    for line in text.split("\n"):
        fence = _fence_at(line)
        if open_fence is None and fence is not None:
            open_fence = fence
            space()
            continue
        if open_fence is not None:
            if (fence is not None and fence[0] == open_fence[0] and fence[1] >= open_fence[1]
                    and line[fence[2]:].strip(" \t\r") == ""):
                open_fence = None
            continue
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if c == " ":
                if out and out[-1] != " ":
                    out.append(" ")
                i += 1
            elif _is_removed(c):
                space()
                i += 1
            elif c == "`":
                ticks = 0
                while i + ticks < n and line[i + ticks] == "`":
                    ticks += 1
                close, pos = -1, line.find("`", i + ticks)
                while pos != -1:
                    run = 0
                    while pos + run < n and line[pos + run] == "`":
                        run += 1
                    if run == ticks:
                        close = pos
                        break
                    pos = line.find("`", pos + run)
                i = i + ticks if close == -1 else close + ticks
                space()
            elif (c in "hHwW" and (i == 0 or not (line[i - 1].isascii() and line[i - 1].isalnum()))
                  and line[i:i + 8].lower().startswith(("http://", "https://", "www."))):
                while i < n and " " < line[i] < "\x7f":
                    i += 1
                space()
            else:
                out.append(c)
                i += 1
        space()
    prose = "".join(out).rstrip(" ")
    if len(prose.encode("utf-8")) > MAX_BYTES:  # gavel reads the first 64 KiB of prose
        prose = prose.encode("utf-8")[:MAX_BYTES].decode("utf-8", "ignore")
    return unicodedata.normalize("NFC", prose)


def script_of(c):
    """The script of a letter, or None for what gavel does not count as a letter."""
    if c.isascii():
        return "LATIN" if c.isalpha() else None
    cat = unicodedata.category(c)
    name = unicodedata.name(c, "")
    if not (cat[0] == "L" or cat in ("Mc", "Nl") or (cat == "Mn" and not name.startswith("COMBINING"))):
        return None
    if name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH", "IDEOGRAPHIC")):
        return "HAN"
    if name.startswith("HALFWIDTH KATAKANA"):
        return "KATAKANA"
    if name.startswith("KATAKANA-HIRAGANA"):
        return None  # the prolonged sound mark and the voicing marks are Common in ICU
    if name.startswith(("FEMININE ORDINAL", "MASCULINE ORDINAL")):
        return "LATIN"
    if name.startswith("HANGUL"):
        return "HANGUL"
    if name.startswith(("MODIFIER LETTER", "FULLWIDTH LATIN")):
        return "LATIN" if "LATIN" in name else None
    return name.split(" ", 1)[0] or None


def _weight(script):
    return 3 if script in HAN_GROUP or script == "HANGUL" else 1


def canonical(code):
    code = code.split("-", 1)[0].split("_", 1)[0].lower()
    return {"iw": "he", "in": "id", "nb": "no"}.get(code, code)


def detect(text):
    """{"language": code or "und", "reliable": bool}."""
    prose = extract_prose(text)
    letters = {}
    for c in prose:
        s = script_of(c)
        if s is not None:
            letters[s] = letters.get(s, 0) + 1
    total = sum(n * _weight(s) for s, n in letters.items())
    und = {"language": "und", "reliable": False}
    if total == 0:
        return und
    han = sum(n for s, n in letters.items() if s in HAN_GROUP)
    kana = letters.get("HIRAGANA", 0) + letters.get("KATAKANA", 0)
    best, best_n = "HAN", han
    for s in sorted(letters):
        if s not in HAN_GROUP and letters[s] * _weight(s) > best_n * _weight(best):
            best, best_n = s, letters[s]
    share = best_n * _weight(best) / total
    by_script = None
    if best == "HAN":
        if kana >= MIN_KANA_SHARE_FOR_JAPANESE * han:
            by_script = "ja"
        elif kana == 0:
            by_script = "zh"
    elif best == "HANGUL":
        by_script = "ko"
    else:
        by_script = SINGLE_LANGUAGE_SCRIPTS.get(best)
    if by_script is not None:
        ok = share >= MIN_SHARE and best_n >= MIN_SCRIPT_LETTERS
        return {"language": by_script, "reliable": True} if ok else und
    min_letters = MIN_SCRIPT_LETTERS if best in ("HAN", "HANGUL") else MIN_LETTERS
    if best_n < min_letters:
        return und
    if share < 1.0:  # the detector sees the dominant script's letters only
        kept = []
        for c in prose:
            s = script_of(c)
            if s is None or s == best or (best == "HAN" and s in HAN_GROUP):
                if not (c == " " and kept and kept[-1] == " "):
                    kept.append(c)
            elif not kept or kept[-1] != " ":
                kept.append(" ")
        prose = "".join(kept)
    try:
        with _LOCK:
            ranked = detect_langs(prose)
    except LangDetectException:
        return und
    if not ranked:
        return und
    language = canonical(ranked[0].lang)
    key = MATCH_KEY.get(language, language)
    detector_share = sum(r.prob for r in ranked if MATCH_KEY.get(canonical(r.lang), canonical(r.lang)) == key)
    if share * min(detector_share, 1.0) < MIN_SHARE:
        return und
    return {"language": language, "reliable": True}


def compare(answer_text, reference_text):
    """gavel.language.compare: match only when both sides are decided."""
    a, b = detect(answer_text), detect(reference_text)
    reliable = a["reliable"] and b["reliable"]
    match = reliable and MATCH_KEY.get(a["language"], a["language"]) == MATCH_KEY.get(b["language"], b["language"])
    return {"answer": a["language"], "expected": b["language"], "reliable": reliable, "match": match}
