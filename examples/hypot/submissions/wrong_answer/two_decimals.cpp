// hypot: wrong answer. Rounds to 2 decimals: 1.41 for sqrt(2) is off by 4e-3,
// far beyond the 1e-6 tolerance (sample 1).
#include <cmath>
#include <iomanip>
#include <iostream>

int main()
{
	int t = 0;
	std::cin >> t;
	std::cout << std::fixed << std::setprecision(2);
	for (int i = 0; i < t; i++) {
		double x, y;
		std::cin >> x >> y;
		std::cout << std::hypot(x, y) << '\n';
	}
	return 0;
}
