/* groups: accepted (100 points). Sort, then count the value changes: O(N log N). */
#include <stdio.h>
#include <stdlib.h>

static int cmp_int(const void *pa, const void *pb)
{
        int a = *(const int *)pa, b = *(const int *)pb;
        return (a > b) - (a < b);
}

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
        qsort(a, (size_t)n, sizeof *a, cmp_int);
        int distinct = 1;
        for (int i = 1; i < n; i++)
                distinct += a[i] != a[i - 1];
        printf("%d\n", distinct);
        free(a);
        return 0;
}
