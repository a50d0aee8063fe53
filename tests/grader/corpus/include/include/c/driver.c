#include <stdio.h>

long long square(long long n);

int main(void)
{
        long long n;
        if (scanf("%lld", &n) != 1)
                return 1;
        printf("%lld\n", square(n));
        return 0;
}
