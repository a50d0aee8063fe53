/* sum, accepted but slow: sleeps 0.6 s (wall clock, no CPU) before each answer, so a job of the
 * six-test examples/sum problem stays in the grader's hands for about 4 s. For the e2e tests
 * that must act while a job is being graded (kill -9, SIGTERM, lease loss). */
#include <stdio.h>
#include <time.h>

int main(void)
{
        struct timespec ts = {0, 600 * 1000 * 1000};
        nanosleep(&ts, NULL);
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
