#!/usr/bin/env python3
"""Writes the test data of the `groups` example problem (deterministic).

Run from anywhere:  python3 examples/groups/generator.py
It (re)writes the .in/.ans files under data/; the testdata.yaml files are
written by hand and left alone.

group2 is sized so that an O(N^2) solution needs several seconds even in C
(about 1.1e10 and 2e10 comparisons), while sorting or hashing takes
milliseconds. Its values are mostly distinct and mostly above 2^24, so that
storing them in a float merges neighbours (the wrong_answer submission).
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def write(group, name, values, max_n, max_abs):
    assert 1 <= len(values) <= max_n and all(abs(v) <= max_abs for v in values)
    d = os.path.join(HERE, "data", group)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".in"), "w", newline="\n") as f:
        f.write("%d\n%s\n" % (len(values), " ".join(map(str, values))))
    with open(os.path.join(d, name + ".ans"), "w", newline="\n") as f:
        f.write("%d\n" % len(set(values)))


def large(rng, n):
    """n values, about 95% distinct; mostly 8 digits to keep the file small."""
    vals = []
    for _ in range(n):
        r = rng.random()
        if r < 0.05 and vals:
            vals.append(rng.choice(vals))                       # a repeat
        elif r < 0.08:
            vals.append(rng.randint(-10**9, 10**9))             # full range
        else:
            vals.append(rng.randint(2**24, 10**8 - 1))          # 8 digits
    vals[rng.randrange(n)] = 10**9
    vals[rng.randrange(n)] = -10**9
    return vals


def main():
    rng = random.Random(31337)
    write("sample", "01", [1, 2, 1, 3, 2], 1000, 10**6)
    write("sample", "02", [1000000, -1000000, 0, 0, 5, -5], 1000, 10**6)

    # group1: N <= 1000, |a_i| <= 10^6
    write("secret/group1", "01-tiny", [4, 4, 4, -4, 0, 7, 7, 1000000, -1000000, 4], 1000, 10**6)
    write("secret/group1", "02-many-repeats", [rng.randint(-50, 50) for _ in range(500)], 1000, 10**6)
    write("secret/group1", "03-max", [rng.randint(-10**6, 10**6) for _ in range(1000)], 1000, 10**6)

    # group2: N <= 200000, |a_i| <= 10^9
    write("secret/group2", "01-large", large(rng, 150000), 200000, 10**9)
    write("secret/group2", "02-max", large(rng, 200000), 200000, 10**9)


if __name__ == "__main__":
    main()
