/* sum: accepted. 64-bit arithmetic, scanf/printf. */
#include <stdio.h>

int main(void)
{
        int t;
        if (scanf("%d", &t) != 1)
                return 0;
        while (t-- > 0) {
                long long a, b;
                if (scanf("%lld %lld", &a, &b) != 2)
                        break;
                printf("%lld\n", a + b);
        }
        return 0;
}
