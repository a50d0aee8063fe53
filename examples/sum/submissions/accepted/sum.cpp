// sum: accepted. 64-bit arithmetic, unsynchronised iostreams.
#include <iostream>

int main()
{
	std::ios::sync_with_stdio(false);
	std::cin.tie(nullptr);
	int t = 0;
	std::cin >> t;
	for (int i = 0; i < t; i++) {
		long long a, b;
		std::cin >> a >> b;
		std::cout << a + b << '\n';
	}
	return 0;
}
