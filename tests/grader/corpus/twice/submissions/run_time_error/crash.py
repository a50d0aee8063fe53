# Dies with an IndexError: its traceback goes into the result's stderr.
import sys

values = sys.stdin.read().split()
print(2 * int(values[1]))
