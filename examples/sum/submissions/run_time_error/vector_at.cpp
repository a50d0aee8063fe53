// sum: run-time error. Off-by-one with vector::at: std::out_of_range is never
// caught, so std::terminate aborts the program (SIGABRT) on the first test.
#include <iostream>
#include <vector>

int main()
{
	int t = 0;
	std::cin >> t;
	std::vector<long long> sums(t);
	for (int i = 1; i <= t; i++) { // bug: should be 0 .. t-1
		long long a, b;
		std::cin >> a >> b;
		sums.at(i) = a + b;
	}
	for (long long s : sums)
		std::cout << s << '\n';
	return 0;
}
