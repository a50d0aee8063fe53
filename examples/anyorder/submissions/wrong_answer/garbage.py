#!/usr/bin/env python3
# anyorder: wrong answer. Prints garbage: a huge number, words, binary junk
# with NUL bytes and a missing token. The checker must say WA (exit 43), never
# crash. Deterministic: fixed seed.
import random
import sys

rng = random.Random(2024)
data = sys.stdin.read().split()
out = sys.stdout.buffer
out.write(b"99999999999999999999999999999999999999999999999999 1\n")
out.write(b"hello world\n")
out.write(bytes(rng.randrange(256) for _ in range(4096)))
out.write(b"\x00\x00 12\n")
