/* Binary search whose "higher" step forgets the +1, and guesses 0 when it gets stuck. */
#include <stdio.h>
#include <string.h>

int main(void)
{
        long long lo = 1, hi = 1000000000;
        char reply[16];
        for (;;) {
                long long mid = lo + (hi - lo) / 2;
                if (lo > hi)
                        mid = 0;
                printf("%lld\n", mid);
                fflush(stdout);
                if (scanf("%15s", reply) != 1 || !strcmp(reply, "correct"))
                        return 0;
                if (!strcmp(reply, "lower"))
                        hi = mid - 1;
                else
                        lo = mid;
        }
}
