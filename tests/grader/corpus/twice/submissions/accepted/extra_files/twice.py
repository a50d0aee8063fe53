# A submission with files that are not sources: they are placed beside it, not compiled.
import os

factor = int(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "factor.txt")).read())
print(factor * int(input()))
