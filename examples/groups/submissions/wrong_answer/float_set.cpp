// groups: wrong answer, 30 points. Keeps the values as float: exact up to 2^24,
// so group 1 (|a_i| <= 10^6) passes, but in group 2 nearby large values round
// to the same float and are counted once.
#include <iostream>
#include <set>

int main()
{
	std::ios::sync_with_stdio(false);
	int n = 0;
	std::cin >> n;
	std::set<float> seen;
	for (int i = 0; i < n; i++) {
		float x;
		std::cin >> x;
		seen.insert(x);
	}
	std::cout << seen.size() << '\n';
	return 0;
}
