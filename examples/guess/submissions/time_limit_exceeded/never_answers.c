/* Waits for the interactor to speak first: both sides read, nobody writes. */
#include <stdio.h>

int main(void)
{
        char line[64];
        if (fgets(line, sizeof(line), stdin))
                printf("%s", line);
        return 0;
}
