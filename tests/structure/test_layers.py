#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The architecture, held by a test: which folder may include what (docs/architecture.md).

Every #include "..." of every C file of the modules is resolved to the header it names
(header names are unique in the tree, which this test also checks), and every system
#include <...> is checked against the libraries a folder may use. A new include that crosses
a line fails here with the file, the line and the rule.

usage: test_layers.py SOURCE_DIR"""
import os
import re
import sys

# folder -> folders whose headers it may include (its own always)
ALLOWED = {
    "common": {"common"},
    "sandbox": {"sandbox", "common"},
    "api-client": {"api-client", "common"},
    "grader/judge": {"grader/judge", "sandbox", "common"},
    "grader/service": {"grader/service", "grader/judge", "api-client", "sandbox", "common"},
    "grader/cli": {"grader/cli", "grader/judge", "grader/service", "sandbox", "common"},
}
# folder -> system headers it must never include (the library it must not use)
FORBIDDEN_SYSTEM = {
    "common": ("curl/", "jansson.h", "microhttpd.h", "seccomp.h", "yaml.h"),
    "sandbox": ("curl/", "jansson.h", "microhttpd.h", "yaml.h"),
    "api-client": ("seccomp.h", "sys/capability.h", "microhttpd.h"),
    "grader/judge": ("curl/", "microhttpd.h"),
    "grader/cli": ("curl/", "microhttpd.h"),
}
# api-client never forks: no process-making calls in its code
NO_FORK = ("api-client",)
FORK_CALLS = re.compile(r"\b(fork|vfork|clone|clone3|execve|execv|execvp|posix_spawn|system|popen)"
                        r"\s*\(")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def folder_of(rel):
    for f in sorted(ALLOWED, key=len, reverse=True):
        if rel == f or rel.startswith(f + "/"):
            return f
    return None


def main():
    src = os.path.abspath(sys.argv[1])
    files = []
    for folder in ALLOWED:
        base = os.path.join(src, folder)
        for name in sorted(os.listdir(base)):
            if name.endswith((".c", ".h")):
                files.append(os.path.join(folder, name))
    problems = []
    # grader/ holds only the three subfolders and its CMakeLists.txt
    for name in os.listdir(os.path.join(src, "grader")):
        if name.endswith((".c", ".h")):
            problems.append(f"grader/{name}: a C file directly in grader/: it belongs in judge/, "
                            "service/ or cli/")
    headers = {}
    for rel in files:
        if rel.endswith(".h"):
            base = os.path.basename(rel)
            if base in headers:
                problems.append(f"{rel}: header name '{base}' also used by {headers[base]}")
            headers[base] = rel
    for rel in files:
        folder = folder_of(rel)
        with open(os.path.join(src, rel), encoding="utf-8") as f:
            text = f.read()
        for m in INCLUDE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            kind, name = m.group(1), m.group(2)
            if kind == '"':
                target = headers.get(os.path.basename(name))
                if target is None:
                    problems.append(f"{rel}:{line}: #include \"{name}\" names no header of the "
                                    "modules")
                    continue
                tfolder = folder_of(target)
                if tfolder not in ALLOWED[folder]:
                    problems.append(f"{rel}:{line}: {folder}/ may not include {target} "
                                    f"(allowed: {', '.join(sorted(ALLOWED[folder]))})")
                if target.endswith("_internal.h") and tfolder != folder:
                    problems.append(f"{rel}:{line}: {target} is private to {tfolder}/")
            else:
                for bad in FORBIDDEN_SYSTEM.get(folder, ()):
                    if name.startswith(bad):
                        problems.append(f"{rel}:{line}: {folder}/ may not use <{name}>")
        if folder in NO_FORK:
            code = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
            for m in FORK_CALLS.finditer(code):
                problems.append(f"{rel}: {folder}/ never forks, but calls {m.group(1)}()")
    for p in problems:
        print(p)
    checked = sum(1 for r in files)
    if problems:
        print(f"{len(problems)} layering problem(s) in {checked} files", file=sys.stderr)
        return 1
    print(f"{checked} files follow the layers of docs/architecture.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
