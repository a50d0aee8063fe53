/* groups: time limit exceeded, 30 points. Compares every value with all the
 * earlier ones: O(N^2), about 2e10 comparisons for N = 200000. Fine for group 1
 * (N <= 1000), seconds too slow for group 2. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
        int n;
        if (scanf("%d", &n) != 1 || n < 1)
                return 0;
        int *a = malloc((size_t)n * sizeof *a);
        if (a == NULL)
                return 1;
        for (int i = 0; i < n; i++)
                if (scanf("%d", &a[i]) != 1)
                        return 1;
        int distinct = 0;
        for (int i = 0; i < n; i++) {
                int seen_before = 0;
                for (int j = 0; j < i; j++)
                        if (a[j] == a[i]) {
                                seen_before = 1;
                                break;
                        }
                distinct += !seen_before;
        }
        printf("%d\n", distinct);
        free(a);
        return 0;
}
