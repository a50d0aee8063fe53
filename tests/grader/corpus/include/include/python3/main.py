from solution import square

print(square(int(input())))
