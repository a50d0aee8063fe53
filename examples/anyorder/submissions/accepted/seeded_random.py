#!/usr/bin/env python3
# anyorder: accepted. A random valid split (fixed seed, so the output is the
# same on every run), bigger part first: shows the checker accepts any answer.
import random
import sys

rng = random.Random(7)
data = sys.stdin.read().split()
t = int(data[0])
out = []
for i in range(t):
    n = int(data[1 + i])
    while True:
        a = rng.randint(1, n - 1)
        if 2 * a != n:
            break
    out.append("%d %d" % (n - a, a))
print("\n".join(out))
