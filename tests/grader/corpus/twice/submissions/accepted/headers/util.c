#include "util.h"

long long twice(long long n)
{
        return n + n;
}
