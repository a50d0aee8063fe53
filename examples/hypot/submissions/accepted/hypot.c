/* hypot: accepted. hypot() from <math.h> (link with -lm), 10 decimals. */
#include <math.h>
#include <stdio.h>

int main(void)
{
        int t;
        if (scanf("%d", &t) != 1)
                return 0;
        while (t-- > 0) {
                double x, y;
                if (scanf("%lf %lf", &x, &y) != 2)
                        break;
                printf("%.10f\n", hypot(x, y));
        }
        return 0;
}
