// anyorder: wrong answer. N/2 and N - N/2: fine for odd N, but for even N the
// two parts are equal (sample 1: N = 4 gives "2 2").
#include <iostream>

int main()
{
	int t = 0;
	std::cin >> t;
	for (int i = 0; i < t; i++) {
		long long n;
		std::cin >> n;
		std::cout << n / 2 << ' ' << n - n / 2 << '\n';
	}
	return 0;
}
