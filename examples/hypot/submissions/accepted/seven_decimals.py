#!/usr/bin/env python3
# hypot: accepted. Only 7 decimals: an error of at most 5e-8, well within 1e-6.
import math
import sys

data = sys.stdin.read().split()
t = int(data[0])
out = []
for i in range(t):
    x, y = float(data[1 + 2 * i]), float(data[2 + 2 * i])
    out.append("%.7f" % math.hypot(x, y))
print("\n".join(out))
