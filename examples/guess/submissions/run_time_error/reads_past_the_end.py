# Finds the number, then reads one more reply: the interaction is over, the
# interactor has accepted and closed its output, so input() raises EOFError.
# The interactor accepted, the submission then crashed: RE (docs/problems.md).
lo, hi = 1, 10**9
while True:
    mid = (lo + hi) // 2
    print(mid, flush=True)
    reply = input().strip()
    if reply == "correct":
        input()  # past the end
    if reply == "lower":
        hi = mid - 1
    else:
        lo = mid + 1
