/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: one buffer read as a student's Java source (the main-class scan runs in the
 * grader, outside the sandbox) and as a submission's @EXPECTED_RESULTS@ tag.
 */
#include <stddef.h>
#include <stdint.h>

#include "java.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char name[512], err[512];
        /* one file, and the same bytes split in two files of one submission */
        struct grd_source src[2] = {{"Main.java", data, size / 2},
                                    {"other.java", data + size / 2, size - size / 2}};
        struct grd_source whole = {"Main.java", data, size};
        grd_java_main_class(&whole, 1, name, sizeof(name), err, sizeof(err));
        grd_java_main_class(src, 2, name, sizeof(name), err, sizeof(err));
        struct grd_expectation e;
        grd_expect_tags(src, 2, &e, err, sizeof(err));
        return 0;
}
