// A compile bomb: megabytes of error messages from a deeply nested template error.
#include <map>
#include <string>
#include <vector>
#define X1(x) std::map<x, std::vector<x>>
#define X2(x) X1(X1(x))
#define X4(x) X2(X2(x))
int main()
{
        X4(std::string) m;
        m.nonexistent_1(); m.nonexistent_2(); m.nonexistent_3(); m.nonexistent_4();
        m.nonexistent_5(); m.nonexistent_6(); m.nonexistent_7(); m.nonexistent_8();
        return m.size() + undefined_symbol;
}
