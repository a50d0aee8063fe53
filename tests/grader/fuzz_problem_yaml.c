/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: one buffer read as problem.yaml, as testdata.yaml and as a 2023-07
 * test_group.yaml (scoring and pass-fail).
 */
#include <stddef.h>
#include <stdint.h>

#include "problem.h"
#include "problem_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char err[256];
        struct grd_problem *p = NULL;
        if (grd_problem_parse_yaml((const char *)data, size, NULL, &p, err, sizeof(err)) == 0)
                grd_problem_free(p);
        for (int draft = 0; draft < 2; draft++)
                for (int scoring = 0; scoring < 2; scoring++)
                        grd_group_yaml_check((const char *)data, size, draft, scoring, err,
                                             sizeof(err));
        return 0;
}
