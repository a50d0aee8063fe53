#!/usr/bin/env python3
"""Writes the test data of the `anyorder` example problem (deterministic).

Run from anywhere:  python3 examples/anyorder/generator.py
Any pair a + b = N with a != b is right; the .ans files hold one such pair
(1 and N - 1) for reference only: the checker never reads them.
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_N = 10**18


def write(group, name, ns):
    d = os.path.join(HERE, "data", group)
    os.makedirs(d, exist_ok=True)
    for n in ns:
        assert 3 <= n <= MAX_N
    with open(os.path.join(d, name + ".in"), "w", newline="\n") as f:
        f.write("%d\n" % len(ns))
        f.writelines("%d\n" % n for n in ns)
    with open(os.path.join(d, name + ".ans"), "w", newline="\n") as f:
        f.writelines("1 %d\n" % (n - 1) for n in ns)


def main():
    rng = random.Random(42)
    write("sample", "01", [3, 4, 10])
    write("sample", "02", [7, MAX_N])
    write("secret", "01-small", list(range(3, 101)))
    write("secret", "02-random",
          [rng.randint(3, 10 ** rng.randint(1, 18)) for _ in range(1000)])
    write("secret", "03-edges",
          [3, 4, 5, 6, MAX_N, MAX_N - 1, 2**31 - 1, 2**31, 2**32, 2**32 + 1,
           2**59, 2**59 + 1, 999999999999999998, 4])


if __name__ == "__main__":
    main()
