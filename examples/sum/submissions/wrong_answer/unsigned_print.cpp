// sum: wrong answer. Right sum, printed as unsigned: negative sums come out as
// 18446744073709551614 and the like (sample 1: 1 2 / -5 3 -> "-2").
#include <cstdio>

int main()
{
	int t = 0;
	if (std::scanf("%d", &t) != 1)
		return 0;
	for (int i = 0; i < t; i++) {
		long long a, b;
		if (std::scanf("%lld %lld", &a, &b) != 2)
			break;
		std::printf("%llu\n", static_cast<unsigned long long>(a + b));
	}
	return 0;
}
