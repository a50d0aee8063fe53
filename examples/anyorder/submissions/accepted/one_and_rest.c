/* anyorder: accepted. 1 + (N - 1): N >= 3, so N - 1 >= 2 differs from 1. */
#include <stdio.h>

int main(void)
{
        int t;
        if (scanf("%d", &t) != 1)
                return 0;
        while (t-- > 0) {
                unsigned long long n;
                if (scanf("%llu", &n) != 1)
                        break;
                printf("1 %llu\n", n - 1);
        }
        return 0;
}
