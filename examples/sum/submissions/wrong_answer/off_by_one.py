#!/usr/bin/env python3
# sum: wrong answer. range(1, t) handles only t - 1 lines: the last sum is missing.
import sys


def main():
    data = sys.stdin.buffer.read().split()
    t = int(data[0])
    out = []
    for i in range(1, t):
        out.append(str(int(data[2 * i - 1]) + int(data[2 * i])))
    sys.stdout.write("\n".join(out) + "\n")


main()
