#!/usr/bin/env python3
"""Writes the test data of the `sum` example problem (deterministic).

Run from anywhere:  python3 examples/sum/generator.py
It (re)writes data/sample/*.in|.ans and data/secret/*.in|.ans next to this
file; the answers are computed here, with Python's exact integers.
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
LIMIT = 4 * 10**18          # |a|, |b| <= 4e18, so |a + b| <= 8e18 < 2^63


def write(group, name, pairs):
    d = os.path.join(HERE, "data", group)
    os.makedirs(d, exist_ok=True)
    for a, b in pairs:
        assert abs(a) <= LIMIT and abs(b) <= LIMIT
    with open(os.path.join(d, name + ".in"), "w", newline="\n") as f:
        f.write("%d\n" % len(pairs))
        f.writelines("%d %d\n" % (a, b) for a, b in pairs)
    with open(os.path.join(d, name + ".ans"), "w", newline="\n") as f:
        f.writelines("%d\n" % (a + b) for a, b in pairs)


def big(rng):
    """A random integer with a random number of digits (1..19), |x| <= 4e18."""
    digits = rng.randint(1, 19)
    x = rng.randint(10 ** (digits - 1) if digits > 1 else 0, 10**digits - 1)
    x = min(x, LIMIT)
    return -x if rng.random() < 0.5 else x


def main():
    rng = random.Random(20240601)

    write("sample", "01", [(1, 2), (-5, 3), (100, -100)])
    write("sample", "02", [(123456789012345678, 876543210987654321),
                           (-4 * 10**18, -4 * 10**18),
                           (10**18, -1)])

    write("secret", "01-small",
          [(rng.randint(-1000, 1000), rng.randint(-1000, 1000)) for _ in range(50)])

    write("secret", "02-negative",
          [(-rng.randint(0, 10**9), -rng.randint(0, 10**9)) for _ in range(50)]
          + [(-rng.randint(10**17, LIMIT), rng.randint(0, 10**18)) for _ in range(50)])

    extremes = [(LIMIT, LIMIT), (-LIMIT, -LIMIT), (LIMIT, -LIMIT), (0, 0),
                (2**31 - 1, 1), (-(2**31), -1), (2**32, 2**32), (2**61, 2**61 - 1),
                (-(2**61), -(2**61)), (999999999999999999, 1), (-1, 1),
                (3999999999999999999, 1)]
    write("secret", "03-extremes", extremes + [(big(rng), big(rng)) for _ in range(88)])

    # 5 * 10^4 lines: mostly small numbers (about half a megabyte), one line in
    # eight with full-size 64-bit values so 32-bit or double arithmetic fails.
    large = []
    for i in range(5 * 10**4):
        if i % 8 == 7:
            large.append((big(rng), big(rng)))
        else:
            large.append((rng.randint(-999, 999), rng.randint(-999, 999)))
    write("secret", "04-large", large)


if __name__ == "__main__":
    main()
