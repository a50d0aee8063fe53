// sum: time limit exceeded. "Adds" b to a one unit at a time, with the loop
// condition written wrongly: it never terminates. Burns CPU, never sleeps.
#include <cstdio>

int main()
{
	int t = 0;
	if (std::scanf("%d", &t) != 1)
		return 0;
	long long a, b;
	if (std::scanf("%lld %lld", &a, &b) != 2)
		return 0;
	volatile long long sum = a;
	for (unsigned long long i = 0; i != ~0ULL; i += 0) // bug: i never advances
		sum = sum + 1;
	std::printf("%lld\n", static_cast<long long>(sum));
	return 0;
}
