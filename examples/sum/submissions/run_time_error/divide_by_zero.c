/* sum: run-time error. Integer division by zero: SIGFPE on the first test. */
#include <stdio.h>

int main(void)
{
        volatile long long zero = 0; /* volatile: no constant folding of x / 0 */
        int t;
        if (scanf("%d", &t) != 1)
                return 0;
        while (t-- > 0) {
                long long a, b;
                if (scanf("%lld %lld", &a, &b) != 2)
                        break;
                printf("%lld\n", (a + b) / zero);
        }
        return 0;
}
