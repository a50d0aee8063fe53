// The output validator protocol: exit 42 accepts, 43 rejects, judgemessage.txt says why.
#pragma once
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>

static std::string feedback_dir;

[[noreturn]] inline void verdict(int code, const char *fmt, ...)
{
        FILE *f = std::fopen((feedback_dir + "judgemessage.txt").c_str(), "w");
        if (f) {
                va_list ap;
                va_start(ap, fmt);
                std::vfprintf(f, fmt, ap);
                va_end(ap);
                std::fclose(f);
        }
        std::exit(code);
}
