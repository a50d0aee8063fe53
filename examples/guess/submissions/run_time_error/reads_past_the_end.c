/* Finds the number, then reads one more reply: the interaction is over, scanf() meets the end
 * of its input, and the program gives up with exit status 1. The interactor accepted, the
 * program failed: RE. */
#include <stdio.h>
#include <string.h>

int main(void)
{
        long long lo = 1, hi = 1000000000;
        char reply[16];
        for (;;) {
                long long mid = lo + (hi - lo) / 2;
                printf("%lld\n", mid);
                fflush(stdout);
                if (scanf("%15s", reply) != 1)
                        return 1;
                if (!strcmp(reply, "correct") && scanf("%15s", reply) != 1)
                        return 1; /* past the end */
                if (!strcmp(reply, "lower"))
                        hi = mid - 1;
                else
                        lo = mid + 1;
        }
}
