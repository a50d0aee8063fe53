#include <iostream>

long long square(long long n);

int main()
{
        long long n;
        std::cin >> n;
        std::cout << square(n) << "\n";
}
