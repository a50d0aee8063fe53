/* SPDX-License-Identifier: MIT */
/* A stand-in output validator: the loader only needs it to exist. */
int main(void);

int main(void)
{
        return 42;
}
