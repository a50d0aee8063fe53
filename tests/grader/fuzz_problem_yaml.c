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
        grd_testdata_yaml_check((const char *)data, size, true, err, sizeof(err));
        grd_testdata_yaml_check((const char *)data, size, false, err, sizeof(err));
        grd_test_group_yaml_check((const char *)data, size, true, err, sizeof(err));
        grd_test_group_yaml_check((const char *)data, size, false, err, sizeof(err));
        return 0;
}
