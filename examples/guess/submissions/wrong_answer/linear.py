# Counts up from 1: runs out of its 30 guesses on any number above 30.
for g in range(1, 10**9 + 1):
    print(g, flush=True)
    if input().strip() == "correct":
        break
