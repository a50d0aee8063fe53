#!/usr/bin/env python3
# groups: accepted (100 points). A set: O(N) expected.
import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
print(len(set(map(int, data[1:1 + n]))))
