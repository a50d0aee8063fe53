#!/usr/bin/env python3
# sum: memory limit exceeded. Appends 16 MiB buffers up to 1 GiB. Note that
# bytearray(n) alone would come from calloc and stay untouched (not resident):
# repeating a one-byte bytearray writes every byte.
import sys

blocks = []
for i in range(64):
    blocks.append(bytearray(b"\x01") * (16 << 20))

data = sys.stdin.buffer.read().split()
t = int(data[0])
print("\n".join(str(int(data[1 + 2 * i]) + int(data[2 + 2 * i])) for i in range(t)))
