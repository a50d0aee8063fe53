#!/usr/bin/env python3
# groups: time limit exceeded, 30 points. `x not in seen` on a list is a linear
# scan: O(N^2) overall. Fine for group 1, far too slow for group 2.
import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
seen = []
for x in map(int, data[1:1 + n]):
    if x not in seen:
        seen.append(x)
print(len(seen))
