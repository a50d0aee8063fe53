/* A compile bomb: the preprocessor reads /dev/zero for ever. */
#include "/dev/zero"
int main(void)
{
        return 0;
}
