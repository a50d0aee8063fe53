#!/usr/bin/env python3
# sum: output limit exceeded. Writes the answer block again and again: the
# loop condition never changes. Big writes, so the 8 MiB go out in milliseconds.
import sys

data = sys.stdin.buffer.read().split()
t = int(data[0])
answer = "".join("%d\n" % (int(data[1 + 2 * i]) + int(data[2 + 2 * i])) for i in range(t))
block = (answer * (65536 // len(answer) + 1)).encode()
written = 0
while written < len(answer):        # bug: `written` is never updated
    sys.stdout.buffer.write(block)
