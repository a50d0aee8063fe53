#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Functions a reader can hold: no C function of the modules is longer than MAX_LINES lines,
not counting the lines of getopt switches (a `switch` on the result of getopt_long, one case
per option, reads as a table).

The brace-matching here is a reader's, not a compiler's: it skips comments, strings and
character literals, and takes a function to be a top-level `name(...) {` ... `}`.

usage: test_function_length.py SOURCE_DIR"""
import os
import re
import sys

MAX_LINES = 120
FOLDERS = ("common", "sandbox", "api-client", "grader/judge", "grader/service", "grader/cli")
SIGNATURE = re.compile(r"^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\([^;]*\)\s*(?:__attribute__\(\(.*\)\))?\s*$")


def strip(text):
    """Blank out comments, strings and char literals, keeping line breaks."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j]) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text):
    """Yield (name, first line, last line, body lines) of each top-level function."""
    lines = strip(text).split("\n")
    depth, start, name = 0, None, None
    for idx, line in enumerate(lines):
        if depth == 0 and "{" in line and start is None:
            # the signature is on this line or the lines just above it
            head = line[:line.index("{")]
            k = idx
            while not SIGNATURE.match(head.strip()) and k > 0 and idx - k < 6:
                k -= 1
                head = lines[k] + " " + head
            m = SIGNATURE.match(head.strip())
            if m and not head.strip().startswith(("struct", "enum", "union", "static const",
                                                  "const")):
                start, name = idx, m.group(1)
        depth += line.count("{") - line.count("}")
        if start is not None and depth == 0:
            yield name, start, idx, lines[start:idx + 1]
            start, name = None, None


def getopt_switch_lines(body):
    """Lines inside `switch (c)` blocks where c comes from getopt_long in this function."""
    text = "\n".join(body)
    var = re.search(r"(\w+)\s*=\s*getopt_long\s*\(", text)
    if not var:
        return 0
    total = 0
    for i, line in enumerate(body):
        if re.search(r"\bswitch\s*\(\s*" + re.escape(var.group(1)) + r"\s*\)", line):
            depth, j = 0, i
            while j < len(body):
                depth += body[j].count("{") - body[j].count("}")
                if depth == 0 and j > i:
                    break
                j += 1
            total += j - i + 1
    return total


def main():
    src = sys.argv[1]
    over = []
    count = 0
    for folder in FOLDERS:
        for name in sorted(os.listdir(os.path.join(src, folder))):
            if not name.endswith(".c"):
                continue
            path = os.path.join(folder, name)
            with open(os.path.join(src, path), encoding="utf-8") as f:
                text = f.read()
            for fn, first, last, body in functions(text):
                count += 1
                length = last - first + 1 - getopt_switch_lines(body)
                if length > MAX_LINES:
                    over.append((length, f"{path}:{first + 1}: {fn}() is {length} lines"))
    for _, msg in sorted(over, reverse=True):
        print(msg)
    if over:
        print(f"{len(over)} of {count} functions are longer than {MAX_LINES} lines (getopt "
              "switches not counted): split them along their seams", file=sys.stderr)
        return 1
    print(f"{count} functions, none longer than {MAX_LINES} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
