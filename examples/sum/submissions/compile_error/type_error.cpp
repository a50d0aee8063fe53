// sum: compile error. A long long cannot initialise a std::string.
#include <iostream>
#include <string>

int main()
{
	int t = 0;
	std::cin >> t;
	for (int i = 0; i < t; i++) {
		long long a, b;
		std::cin >> a >> b;
		std::string s = a + b;
		std::cout << s << '\n';
	}
	return 0;
}
