/* SPDX-License-Identifier: MIT */
/*
 * The two sides of bench/pair-rounds (static, like hello): `pingpong ask N` writes a one-byte
 * question and waits for the one-byte answer, N times; `pingpong answer` answers every byte it
 * reads until the end of file. Each round is one round trip through two pipes.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        char c = '?';
        if (argc == 3 && !strcmp(argv[1], "ask")) {
                long n = atol(argv[2]);
                for (long i = 0; i < n; i++) {
                        if (write(1, &c, 1) != 1 || read(0, &c, 1) != 1)
                                return 1;
                }
                return 0;
        }
        if (argc == 2 && !strcmp(argv[1], "answer")) {
                while (read(0, &c, 1) == 1) {
                        if (write(1, &c, 1) != 1)
                                return 1;
                }
                return 0;
        }
        return 2;
}
