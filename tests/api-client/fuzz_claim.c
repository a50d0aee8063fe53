/* SPDX-License-Identifier: MIT */
/* Fuzz target: api_parse_claim refuses any malformed claim reply without crashing, and what it
 * accepts keeps every promise of struct api_job. */
#include "api.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
        if (!ok)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char err[256] = "";
        struct api_job *job = NULL;
        int r = api_parse_claim((const char *)data, size, &job, err, sizeof(err));
        if (r < 0) {
                check(job == NULL && strlen(err) > 0);
                return 0;
        }
        check(job && job->job_id && job->submission_id && job->queue && job->language &&
              job->problem_id && job->problem_revision && job->files_url);
        check(job->lease > 0 && job->lease <= API_LEASE_MAX);
        check(job->n_files >= 1 && job->n_files <= API_SUBMISSION_FILES_MAX);
        size_t total = 0;
        for (size_t i = 0; i < job->n_files; i++) {
                const struct api_file *f = &job->files[i];
                check(f->name[0] && !strchr(f->name, '/') && strcmp(f->name, "..") &&
                      strcmp(f->name, "."));
                check(f->data[f->len] == '\0');
                total += f->len;
        }
        check(total <= API_SUBMISSION_BYTES_MAX);
        check(!strchr(job->job_id, '/') && !strchr(job->problem_id, '/') &&
              !strchr(job->problem_revision, '/'));
        api_job_free(job);
        return 0;
}
