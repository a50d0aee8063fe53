/* Several files with a header: only main.c and util.c are compiled; util.h sits beside them. */
#include <stdio.h>

#include "util.h"

int main(void)
{
        long long n;
        if (scanf("%lld", &n) != 1)
                return 1;
        printf("%lld\n", twice(n));
        return 0;
}
