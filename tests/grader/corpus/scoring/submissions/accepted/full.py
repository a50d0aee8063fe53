import os
import sys

total = sum(int(x) for x in sys.stdin.read().split())
if os.path.exists("extra.txt"):
    total += sum(int(x) for x in open("extra.txt").read().split())
if "--times" in sys.argv:
    total *= int(sys.argv[sys.argv.index("--times") + 1])
print(total)
