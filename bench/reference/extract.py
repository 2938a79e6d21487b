"""Finding the JSON in a model's answer, with gavel.schema's rules (plugins/schema/src/extract.cpp).

In order: the whole trimmed answer when it is exactly one JSON value ("bare"); else the first
```json fence, or the first plain ``` fence whose content starts with { or [ ("fenced"; an
unclosed fence runs to the end); else the largest object or array whose first token looks like
JSON ("after_prose"). A malformed candidate is still taken and the answer is then "invalid".

The scan works on code points instead of UTF-8 bytes; every character it looks at is ASCII, and
a multi-byte character never contains an ASCII byte, so the outcome is the same.

Parsing is json.loads made as strict as nlohmann::json: NaN and Infinity are refused, a number
that overflows a double is refused ("number overflow"), a \\u escape that leaves a lone surrogate
is refused, a leading byte order mark is skipped, and more than 64 levels of nesting is invalid.
"""

import json
import math

SPACE = " \t\n\r\f\v"
MAX_DEPTH = 64  # gavel.schema's kMaxValueDepth


def _skip_space(s, i):
    while i < len(s) and s[i] in SPACE:
        i += 1
    return i


def _skip_string(s, i):
    i += 1
    while i < len(s):
        if s[i] == "\\":
            i += 1
        elif s[i] == '"':
            return i + 1
        i += 1
    return len(s)


def _skip_scalar(s, i):
    for literal in ("true", "false", "null"):
        if s.startswith(literal, i):
            end = i + len(literal)
            goes_on = end < len(s) and s[end].isascii() and s[end].isalpha()
            return i if goes_on else end
    end = i
    if end < len(s) and s[end] == "-":
        end += 1
    if end >= len(s) or not ("0" <= s[end] <= "9"):
        return i
    while end < len(s) and (("0" <= s[end] <= "9") or s[end] in ".eE+-"):
        end += 1
    return end


def _looks_like_json_start(s, i):
    k = _skip_space(s, i + 1)
    if k >= len(s):
        return True
    if s[i] == "{":
        if s[k] == "}":
            return True
        if s[k] != '"':
            return False
        k = _skip_space(s, _skip_string(s, k))
        return k >= len(s) or s[k] == ":"
    if s[k] in "]{[":
        return True
    if s[k] == '"':
        end = _skip_string(s, k)
    else:
        end = _skip_scalar(s, k)
        if end == k:
            return False
    end = _skip_space(s, end)
    return end >= len(s) or s[end] in ",]"


def _largest_candidate(s, max_depth):
    """(begin, end, too_deep) of the largest JSON-looking object or array, or None."""
    best = None
    i = 0
    while i < len(s):
        c = s[i]
        if c not in "{[" or not _looks_like_json_start(s, i):
            i += 1
            continue
        begin, too_deep, stack = i, False, [c]
        k = i + 1
        while k < len(s) and stack:
            d = s[k]
            if d == '"':
                k = _skip_string(s, k) - 1
            elif d in "{[":
                if len(stack) == max_depth:
                    too_deep = True
                stack.append(d)
            elif d in "}]":
                if stack[-1] != ("{" if d == "}" else "["):
                    stack = []
                else:
                    stack.pop()
            k += 1
        if best is None or k - begin > best[1] - best[0]:
            best = (begin, k, too_deep)
        i = k
    return best


def nests_deeper_than(text, max_depth):
    depth, in_string, escaped = 0, False, False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif c in "]}" and depth > 0:
            depth -= 1
    return False


def _refuse_constant(name):
    raise ValueError("invalid literal " + name)


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number overflow parsing '%s'" % text)
    return value


def _int(text):
    value = int(text)
    # nlohmann reads integers beyond 64 bits as doubles, and refuses them when those overflow.
    if not (-(2 ** 63) <= value <= 2 ** 64 - 1) and not math.isfinite(float(text)):
        raise ValueError("number overflow parsing '%s'" % text)
    return value


def _has_surrogate(value):
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    return False


def parse_json_text(text):
    """(True, value) or (False, error), as nlohmann::json::parse would decide."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float,
                           parse_int=_int)
    except (ValueError, RecursionError) as e:
        return False, "invalid JSON: %s" % e
    if _has_surrogate(value):
        return False, "invalid JSON: a \\u escape leaves a lone surrogate"
    return True, value


def _finish(answer, begin, end, form, too_deep=False):
    text = answer[begin:end]
    if too_deep or nests_deeper_than(text, MAX_DEPTH):
        return {"status": "invalid", "form": form,
                "error": "JSON nests deeper than %d levels" % MAX_DEPTH}
    ok, result = parse_json_text(text)
    if ok:
        return {"status": "ok", "form": form, "value": result}
    return {"status": "invalid", "form": form, "error": result}


def _find_closing_fence(s, start):
    last = -1
    at = s.find("```", start)
    while at != -1:
        k = at
        while k > start and s[k - 1] in " \t":
            k -= 1
        if k > 0 and s[k - 1] == "\n":
            return at
        last = at
        at = s.find("```", at + 3)
    return last


def _find_fence(s):
    """(begin, end) of the first ```json fence's trimmed content, else of the first plain fence
    whose content starts with { or [; None when there is neither."""
    plain = None
    at = s.find("```")
    while at != -1:
        info_end = at + 3
        while info_end < len(s) and s[info_end] not in SPACE and s[info_end] != "`":
            info_end += 1
        info = s[at + 3:info_end]
        close = _find_closing_fence(s, info_end)
        content_end = len(s) if close == -1 else close
        begin = _skip_space(s, info_end)
        end = content_end
        while end > begin and s[end - 1] in SPACE:
            end -= 1
        begin = min(begin, end)
        if info.isascii() and info.lower() == "json":
            return begin, end
        if info == "" and plain is None and begin < end and s[begin] in "{[":
            plain = (begin, end)
        if close == -1:
            break
        at = s.find("```", close + 3)
    return plain


def extract_json(answer):
    """{"status": "ok"|"not_found"|"invalid", "form", "value" when ok, "error" when not}."""
    begin = _skip_space(answer, 0)
    end = len(answer)
    while end > begin and answer[end - 1] in SPACE:
        end -= 1
    if answer[begin:begin + 1] == "\ufeff":
        begin = _skip_space(answer, begin + 1)
    if begin >= end:
        return {"status": "not_found", "error": "the answer is empty"}
    body = answer[:end]

    first = answer[begin]
    best, scanned = None, False
    if first in "{[":
        best, scanned = _largest_candidate(body, MAX_DEPTH), True
        if best is not None and best[0] == begin and best[1] == end:
            return _finish(answer, begin, end, "bare", best[2])
    elif first == '"' or first == "-" or "0" <= first <= "9" or first in "tfn":
        text = answer[begin:end]
        if not nests_deeper_than(text, MAX_DEPTH):
            ok, value = parse_json_text(text)
            if ok:
                return {"status": "ok", "form": "bare", "value": value}

    fence = _find_fence(body)
    if fence is not None:
        if fence[0] == fence[1]:
            return {"status": "invalid", "form": "fenced", "error": "the ```json block is empty"}
        return _finish(answer, fence[0], fence[1], "fenced")

    if not scanned:
        best = _largest_candidate(body, MAX_DEPTH)
    if best is not None:
        return _finish(answer, best[0], best[1], "after_prose", best[2])
    return {"status": "not_found", "error": "no JSON object or array found in the answer"}
