#!/usr/bin/env python3
# anyorder: time limit exceeded. Tries every pair (a, b): fine for the first
# sample (N <= 10), hopeless for N up to 10^18 (sample 2).
import sys

data = sys.stdin.read().split()
t = int(data[0])
for i in range(t):
    n = int(data[1 + i])
    found = False
    for a in range(1, n):
        for b in range(1, n):
            if a + b == n and a != b:
                print(a, b)
                found = True
                break
        if found:
            break
