#!/usr/bin/env python3
# sum: compile error. A missing colon: `python3 -m py_compile` rejects the file
# with a SyntaxError before it ever runs.
import sys

data = sys.stdin.buffer.read().split()
t = int(data[0])
for i in range(t)
    print(int(data[1 + 2 * i]) + int(data[2 + 2 * i]))
