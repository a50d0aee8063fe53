# Knows pass 1 only: in pass 2 it echoes its input number.
words = input().split()
print(sum(int(w) for w in words[1:]))
