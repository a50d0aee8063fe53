#!/usr/bin/env python3
"""Writes the test data of the `hypot` example problem (deterministic).

Run from anywhere:  python3 examples/hypot/generator.py
Answers are math.hypot of the parsed inputs, written with 10 decimals.
"""
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def fmt(x, decimals):
    s = "%.*f" % (decimals, x)
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def write(group, name, pairs):
    d = os.path.join(HERE, "data", group)
    os.makedirs(d, exist_ok=True)
    lines = []
    for x, y in pairs:
        assert abs(float(x)) <= 1e6 and abs(float(y)) <= 1e6
        lines.append((x, y))
    with open(os.path.join(d, name + ".in"), "w", newline="\n") as f:
        f.write("%d\n" % len(lines))
        f.writelines("%s %s\n" % (x, y) for x, y in lines)
    with open(os.path.join(d, name + ".ans"), "w", newline="\n") as f:
        f.writelines("%.10f\n" % math.hypot(float(x), float(y)) for x, y in lines)


def rnd(rng, limit, decimals):
    return fmt(rng.uniform(-limit, limit), decimals)


def main():
    rng = random.Random(1618)

    write("sample", "01", [("3", "4"), ("1", "1"), ("0.5", "1.2")])
    write("sample", "02", [("-6", "-8"), ("0", "0"), ("2.5", "-1.75")])

    triples = [("0", "7"), ("-5", "12"), ("8", "-15"), ("7", "24"), ("-20", "-21"),
               ("9", "40"), ("12", "35"), ("-11", "60"), ("28", "45"), ("33", "56")]
    write("secret", "01-integers",
          triples + [(str(rng.randint(-1000, 1000)), str(rng.randint(-1000, 1000)))
                     for _ in range(40)])

    write("secret", "02-random",
          [(rnd(rng, 1000, 6), rnd(rng, 1000, 6)) for _ in range(1000)])

    extremes = [("0.000001", "0"), ("0", "-0.000001"), ("0.000001", "0.000001"),
                ("1000000", "1000000"), ("-1000000", "0.000001"), ("999999.999999", "-999999.999999"),
                ("0.001", "0.002"), ("0.1", "0.2"), ("123456.789", "0.000321"),
                ("1", "0.000001"), ("-0.5", "-0.5"), ("0", "0")]
    write("secret", "03-extremes",
          extremes + [(rnd(rng, 10 ** rng.randint(-5, 6), 6), rnd(rng, 10 ** rng.randint(-5, 6), 6))
                      for _ in range(88)])


if __name__ == "__main__":
    main()
