#!/usr/bin/env python3
# sum: run-time error. Loops one line too far: IndexError (exit status 1)
# before anything is printed.
import sys

data = sys.stdin.buffer.read().split()
t = int(data[0])
out = []
for i in range(t + 1):      # bug: t + 1 iterations
    out.append(str(int(data[1 + 2 * i]) + int(data[2 + 2 * i])))
sys.stdout.write("\n".join(out) + "\n")
