// sum: memory limit exceeded. Grows a vector of 16 MiB blocks up to 1 GiB; the
// fill constructor writes every byte, so the memory is really used. Under a
// 256 MiB limit it dies (std::bad_alloc, or the kernel kills it).
#include <iostream>
#include <vector>

int main()
{
	std::vector<std::vector<char>> blocks;
	for (int i = 0; i < 64; i++)
		blocks.emplace_back(16 << 20, static_cast<char>(i + 1));
	int t = 0;
	std::cin >> t;
	for (int i = 0; i < t; i++) {
		long long a, b;
		std::cin >> a >> b;
		std::cout << a + b << '\n';
	}
	std::cerr << "blocks " << blocks.size() << '\n';
	return 0;
}
