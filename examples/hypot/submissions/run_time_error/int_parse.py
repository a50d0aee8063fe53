#!/usr/bin/env python3
# hypot: run-time error. Parses the coordinates with int(): ValueError on
# "0.5" (sample 1), exit status 1.
import math
import sys

data = sys.stdin.read().split()
t = int(data[0])
out = []
for i in range(t):
    x, y = int(data[1 + 2 * i]), int(data[2 + 2 * i])
    out.append("%.10f" % math.hypot(x, y))
print("\n".join(out))
