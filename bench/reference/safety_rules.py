"""Rule packs (rubrics/rules/*.json) scanned with Python's re, with gavel.safety's semantics.

gavel compiles each rule with RE2 (UTF-8, Perl classes, `(?i)` prepended when ignore_case) and
matches a normalised copy of the text. Python's re differs from RE2 in ways that change matches,
so each pattern is translated, not used as written:

  * \\b \\B \\d \\s \\w are ASCII-only in RE2 but Unicode in Python str patterns, and RE2's \\s is
    [\\t\\n\\f\\r ] (no \\v) while Python's ASCII \\s also has \\v. They become explicit classes;
    \\b and \\B become look-arounds on [0-9A-Za-z_].
  * RE2's (?i) folds case with Unicode simple case folding: k also matches U+212A KELVIN SIGN
    and s U+017F LONG S, and folding applies inside classes and to \\w. Python's IGNORECASE also
    lets i match U+0130 and U+0131, which RE2 does not. So no IGNORECASE here: every letter
    becomes the class of its RE2 fold orbit.
  * RE2's $ without (?m) is the end of the text only; Python's also matches before a final
    newline. It becomes \\Z.

Only what the shipped packs need is translated; anything else (inline flags in the middle of a
pattern, non-ASCII letters under (?i), POSIX or Unicode classes, validators) raises
UnsupportedPattern instead of being translated approximately.
"""

import json
import re
import unicodedata

WORD = frozenset(map(ord, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"))
DIGIT = frozenset(range(ord("0"), ord("9") + 1))
SPACE = frozenset(map(ord, "\t\n\f\r "))  # RE2's \s: no \v
_WORD_CLASS = "[0-9A-Za-z_]"
BOUNDARY = "(?:(?<!%s)(?=%s)|(?<=%s)(?!%s))" % ((_WORD_CLASS,) * 4)
NOT_BOUNDARY = "(?:(?<!%s)(?!%s)|(?<=%s)(?=%s))" % ((_WORD_CLASS,) * 4)
# RE2's fold orbits that reach outside ASCII for ASCII letters (from Unicode CaseFolding.txt).
EXTRA_FOLDS = {ord("k"): {0x212A}, ord("K"): {0x212A}, ord("s"): {0x17F}, ord("S"): {0x17F}}
LITERAL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}


class UnsupportedPattern(ValueError):
    pass


def _fold(points):
    out = set(points)
    for c in points:
        if c < 0x80 and chr(c).isalpha():
            out.add(ord(chr(c).swapcase()))
            out |= EXTRA_FOLDS.get(c, set())
        elif c >= 0x80:
            raise UnsupportedPattern("a non-ASCII character under (?i)")
    for c in list(out):  # the Kelvin sign and long s fold back to k and s
        if c == 0x212A:
            out |= {ord("k"), ord("K")}
        elif c == 0x17F:
            out |= {ord("s"), ord("S")}
    return out


def _class(points, negate=False):
    """A Python class matching exactly `points` (or everything else)."""
    pts = sorted(points)
    parts, i = [], 0
    while i < len(pts):
        j = i
        while j + 1 < len(pts) and pts[j + 1] == pts[j] + 1:
            j += 1
        parts.append("\\U%08x" % pts[i] if i == j else "\\U%08x-\\U%08x" % (pts[i], pts[j]))
        i = j + 1
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def _perl_class(letter):
    base = {"d": DIGIT, "s": SPACE, "w": WORD}[letter.lower()]
    return base, letter.isupper()


def _parse_class(p, i, fold):
    """Parses the class starting after '[' at p[i]; returns (python class, index after ']')."""
    negate = False
    if i < len(p) and p[i] == "^":
        negate, i = True, i + 1
    points, first = set(), True
    while True:
        if i >= len(p):
            raise UnsupportedPattern("unterminated class")
        c = p[i]
        if c == "]" and not first:
            i += 1
            break
        first = False
        if c == "[" and p.startswith("[:", i):
            raise UnsupportedPattern("POSIX class")
        if c == "\\":
            e = p[i + 1]
            if e in "dswDSW":
                base, neg = _perl_class(e)
                if neg:
                    raise UnsupportedPattern("negated Perl class inside a class")
                points |= base
                i += 2
                continue
            if e.isalnum() and e not in LITERAL_ESCAPES:
                raise UnsupportedPattern("escape \\" + e)
            lo, i = ord(LITERAL_ESCAPES.get(e, e)), i + 2
        else:
            lo, i = ord(c), i + 1
        if i + 1 < len(p) and p[i] == "-" and p[i + 1] != "]":
            hc = p[i + 1]
            if hc == "\\":
                he = p[i + 2]
                if he.isalnum() and he not in LITERAL_ESCAPES:
                    raise UnsupportedPattern("escape \\" + he + " as a range end")
                hi, i = ord(LITERAL_ESCAPES.get(he, he)), i + 3
            else:
                hi, i = ord(hc), i + 2
            points |= set(range(lo, hi + 1))
        else:
            points.add(lo)
    if fold:
        points = _fold(points)
    return _class(points, negate), i


def translate(pattern, ignore_case=False):
    """RE2 pattern (as gavel compiles it) -> (Python pattern, flags)."""
    fold, multiline, flags = ignore_case, False, 0
    i = 0
    while True:
        m = re.match(r"\(\?([a-zA-Z]+)\)", pattern[i:])
        if not m:
            break
        for f in m.group(1):
            if f == "i":
                fold = True
            elif f == "m":
                multiline = True
            else:
                raise UnsupportedPattern("flag " + f)
        i += m.end()
    if multiline:
        flags |= re.MULTILINE
    out, p = [], pattern
    while i < len(p):
        c = p[i]
        if c == "\\":
            e = p[i + 1]
            i += 2
            if e == "b":
                out.append(BOUNDARY)
            elif e == "B":
                out.append(NOT_BOUNDARY)
            elif e in "dswDSW":
                base, neg = _perl_class(e)
                out.append(_class(_fold(base) if fold else base, neg))
            elif e in LITERAL_ESCAPES:
                out.append(re.escape(LITERAL_ESCAPES[e]))
            elif e.isalnum():
                raise UnsupportedPattern("escape \\" + e)
            else:
                out.append(re.escape(e))
        elif c == "[":
            cls, i = _parse_class(p, i + 1, fold)
            out.append(cls)
        elif c == "(":
            if p.startswith("(?:", i):
                out.append("(?:")
                i += 3
            elif p.startswith("(?", i):
                raise UnsupportedPattern("group syntax at %d" % i)
            else:
                out.append("(")
                i += 1
        elif c == "$":
            out.append("$" if multiline else r"\Z")
            i += 1
        elif c in ")|*+?{}^.":
            out.append(c)
            i += 1
        else:
            if fold and c.isalpha():
                out.append(_class(_fold({ord(c)})))
            else:
                out.append(re.escape(c))
            i += 1
    return "".join(out), flags


def is_invisible(c):
    """Unicode 15's Default_Ignorable_Code_Point, as gavel.safety's IsInvisibleFormatChar."""
    return (c == 0x00AD or c == 0x034F or c == 0x061C or c in (0x115F, 0x1160, 0x17B4, 0x17B5)
            or 0x180B <= c <= 0x180F or 0x200B <= c <= 0x200F or 0x202A <= c <= 0x202E
            or 0x2060 <= c <= 0x206F or c == 0x3164 or 0xFE00 <= c <= 0xFE0F or c == 0xFEFF
            or c == 0xFFA0 or 0xFFF0 <= c <= 0xFFF8 or 0x1BCA0 <= c <= 0x1BCA3
            or 0x1D173 <= c <= 0x1D17A or 0xE0000 <= c <= 0xE0FFF)


def normalize_for_scan(text, form="NFC"):
    """gavel.safety's normalisation: ASCII as is; else drop zero-width and bidi controls and the
    soft hyphen, U+2028/U+2029 -> newline, other space separators (Zs) -> ' ', then NFC."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            out.append(ch)
        elif is_invisible(o):
            continue
        elif o in (0x2028, 0x2029):
            out.append("\n")
        elif unicodedata.category(ch) == "Zs":
            out.append(" ")
        else:
            out.append(ch)
    return unicodedata.normalize(form, "".join(out))


class Guard:
    """The packs of `files`, compiled once; scan() gives gavel.safety's hits, action and summary."""

    def __init__(self, files, actions, normalization="NFC"):
        self.rules = []
        self.normalization = normalization
        self.actions = actions
        for path in files:
            with open(path, encoding="utf-8") as f:
                pack = json.load(f)
            defaults = pack.get("defaults", {})
            for rule in pack["rules"]:
                if rule.get("validator"):
                    raise UnsupportedPattern("rule %s: validators are not implemented" % rule["name"])
                pattern = rule["pattern"]
                if isinstance(pattern, list):
                    pattern = "".join(pattern)
                py, flags = translate(pattern, bool(rule.get("ignore_case", False)))
                self.rules.append({
                    "name": rule["name"],
                    "category": rule.get("category", defaults.get("category")),
                    "regex": re.compile(py, flags),
                })

    def scan(self, text):
        norm = normalize_for_scan(text, self.normalization)
        hits = []
        for rule in self.rules:
            count, pos = 0, 0
            while pos <= len(norm):
                m = rule["regex"].search(norm, pos)
                if not m:
                    break
                if m.end() == m.start():  # gavel skips empty matches by one character
                    pos = m.start() + 1
                    continue
                count += 1
                pos = m.end()
            if count:
                hits.append({"rule": rule["name"], "category": rule["category"], "count": count})
        action = "none"
        order = {"none": 0, "report": 1, "penalise": 2, "zero": 3}
        for hit in hits:
            a = self.actions.get(hit["category"], self.actions.get("default", "report"))
            a = "penalise" if isinstance(a, dict) else a
            if order[a] > order[action]:
                action = a
        by_category = {}
        for hit in hits:
            by_category.setdefault(hit["category"], []).append(hit["rule"])
        summary = "; ".join("%s: %s" % (c, ", ".join(r)) for c, r in by_category.items()) or "clean"
        return {"clean": not hits, "action": action, "hits": hits, "summary": summary}
