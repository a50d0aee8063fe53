// anyorder: accepted. The split closest to the middle: a = (N - 1) / 2 < b.
#include <iostream>

int main()
{
	std::ios::sync_with_stdio(false);
	int t = 0;
	std::cin >> t;
	for (int i = 0; i < t; i++) {
		long long n;
		std::cin >> n;
		long long a = (n - 1) / 2;
		std::cout << a << ' ' << n - a << '\n';
	}
	return 0;
}
