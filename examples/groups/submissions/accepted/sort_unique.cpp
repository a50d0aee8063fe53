// groups: accepted (100 points). std::sort + std::unique.
#include <algorithm>
#include <iostream>
#include <vector>

int main()
{
	std::ios::sync_with_stdio(false);
	std::cin.tie(nullptr);
	int n = 0;
	std::cin >> n;
	std::vector<int> a(n);
	for (int &x : a)
		std::cin >> x;
	std::sort(a.begin(), a.end());
	std::cout << std::unique(a.begin(), a.end()) - a.begin() << '\n';
	return 0;
}
