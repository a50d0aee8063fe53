// hypot: accepted. sqrt(x*x + y*y) (no overflow for |x|, |y| <= 1e6), 10 decimals.
#include <cmath>
#include <iomanip>
#include <iostream>

int main()
{
	std::ios::sync_with_stdio(false);
	int t = 0;
	std::cin >> t;
	std::cout << std::fixed << std::setprecision(10);
	for (int i = 0; i < t; i++) {
		double x, y;
		std::cin >> x >> y;
		std::cout << std::sqrt(x * x + y * y) << '\n';
	}
	return 0;
}
