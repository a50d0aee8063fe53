/* SPDX-License-Identifier: MIT */
/*
 * The result spool: a result is written here (fsync'd, atomically) before it is posted, and
 * removed only once the site has it; whatever is left is re-sent later, after a restart too.
 */
#ifndef GRADER_SPOOL_H
#define GRADER_SPOOL_H

#include <stddef.h>

/* grd_spool_open - create the spool directory (0700) and its "rejected" subdirectory. */
int grd_spool_open(const char *dir, char *err, size_t errlen);

/* grd_spool_put - store the result of job_id durably. Return: 0 or -errno. */
int grd_spool_put(const char *dir, const char *job_id, const char *json, size_t len);

/* grd_spool_get - read a stored result (caller frees). Return: 0 or -errno. */
int grd_spool_get(const char *dir, const char *job_id, char **ret_json, size_t *ret_len);

/* grd_spool_remove - forget a result the site has. Return: 0 or -errno. */
int grd_spool_remove(const char *dir, const char *job_id);

/* grd_spool_reject - move a result the site refused for good to rejected/, for a human. */
int grd_spool_reject(const char *dir, const char *job_id);

/*
 * grd_spool_list - the job ids with a stored result, oldest first.
 * Return: the count (ids in *ret, free with grd_spool_list_free) or -errno.
 */
int grd_spool_list(const char *dir, char ***ret, size_t max);
void grd_spool_list_free(char **ids, size_t n);

#endif
