#ifndef UTIL_H
#define UTIL_H
long long twice(long long n);
#endif
