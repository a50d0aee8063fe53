// A correct program that reads its input with <regex>: a large template library to compile.
#include <iostream>
#include <iterator>
#include <regex>
#include <string>

int main()
{
        std::string in((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
        std::smatch m;
        if (!std::regex_search(in, m, std::regex("-?[0-9]+")))
                return 1;
        std::cout << 2 * std::stoll(m.str()) << "\n";
        return 0;
}
