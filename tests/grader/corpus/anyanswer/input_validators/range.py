# One integer n with 2 <= n <= MAX (--max MAX, from test_group.yaml), on a line of its own.
import re
import sys

limit = int(sys.argv[sys.argv.index("--max") + 1])
text = sys.stdin.read()
if not re.fullmatch(r"[1-9][0-9]*\n", text) or not 2 <= int(text) <= limit:
    print("not one integer in [2, %d]" % limit)
    sys.exit(43)
sys.exit(42)
