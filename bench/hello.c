/* SPDX-License-Identifier: MIT */
/* The smallest useful program for bench/sandbox-overhead: print one line and exit (static). */
#include <stdio.h>

int main(void)
{
        return puts("hello, world") < 0;
}
