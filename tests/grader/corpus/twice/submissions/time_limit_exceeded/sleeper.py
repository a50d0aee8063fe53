# Prints a partial line, then sleeps far past the time limit: a time-limit failure (the wall
# clock), not a wrong answer judged on the partial line.
import sys
import time

sys.stdout.write("4")
sys.stdout.flush()
time.sleep(30)
print("2")
