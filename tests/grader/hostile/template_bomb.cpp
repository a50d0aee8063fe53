// A compile bomb: a type whose name doubles at each level; the error message about it would
// be gigabytes long.
#include <utility>
template <class T> using P = std::pair<T, T>;
typedef P<P<P<P<P<P<P<P<P<P<int>>>>>>>>>> A10;
typedef P<P<P<P<P<P<P<P<P<P<A10>>>>>>>>>> A20;
typedef P<P<P<P<P<P<P<P<P<P<A20>>>>>>>>>> A30;
int main()
{
        A30 *a = nullptr;
        return a->no_such_member();
}
