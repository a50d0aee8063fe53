/* sum: wrong answer. Adds in double: 53 bits of mantissa lose the low digits of
 * 18-digit numbers (sample 2: 123456789012345678 + 876543210987654321). */
#include <stdio.h>

int main(void)
{
        int t;
        if (scanf("%d", &t) != 1)
                return 0;
        while (t-- > 0) {
                double a, b;
                if (scanf("%lf %lf", &a, &b) != 2)
                        break;
                printf("%.0f\n", a + b);
        }
        return 0;
}
