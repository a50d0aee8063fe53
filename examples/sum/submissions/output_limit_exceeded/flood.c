/* sum: output limit exceeded. Forgets to move on to the next line, printing
 * the first sum forever; with stdio buffering that is well over 8 MiB in a
 * fraction of a second. */
#include <stdio.h>

int main(void)
{
        int t;
        long long a, b;
        if (scanf("%d", &t) != 1 || scanf("%lld %lld", &a, &b) != 2)
                return 0;
        while (t > 0) /* bug: t is never decremented, a and b never re-read */
                printf("%lld\n", a + b);
        return 0;
}
