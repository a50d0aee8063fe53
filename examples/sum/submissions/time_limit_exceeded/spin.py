#!/usr/bin/env python3
# sum: time limit exceeded. Waits for a condition that never becomes true,
# burning CPU in the meantime.
import sys

data = sys.stdin.buffer.read().split()
t = int(data[0])
done = 0
while done < t:
    pass            # bug: done is never incremented
