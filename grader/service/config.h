/* SPDX-License-Identifier: MIT */
/* The service's configuration: a JSON file, then GRADER_* variables, then flags (docs/service.md).
 */
#ifndef GRADER_CONFIG_H
#define GRADER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRD_MAX_QUEUES 16

struct grd_config {
        char *api_url;
        char *token_file;
        char *ca_file;
        unsigned workers;                 /* 0: one per online CPU */
        char *queues[GRD_MAX_QUEUES + 1]; /* priority order, NULL-terminated */
        char *cache_dir;
        uint64_t cache_max; /* bytes */
        char *spool_dir;
        char *work_dir; /* base of the workers' scratch dirs */
        char *grader_id;
        char *languages; /* the language table, NULL: default */
        char *health_file;
        char *metrics_listen; /* NULL: off */
        char *log_format;     /* "auto", "json", "text" */
        bool exit_when_idle;
        bool selftest;       /* run the self-test before the first claim */
        unsigned claim_wait; /* seconds a claim may be held by the site */
        double grace;        /* seconds to finish work after SIGTERM */
        double default_time; /* time limit of packages that set none */
        unsigned uid_base;   /* first sandbox uid (one per slot); 0: the sandbox's own */
};

/* grd_config_defaults - fill every default (paths depend on whether we run as root). */
void grd_config_defaults(struct grd_config *c);

/*
 * grd_config_load_file - merge a JSON configuration file (keys as in docs/service.md).
 * Return: 0; -errno with err naming the file and the key at fault.
 */
int grd_config_load_file(struct grd_config *c, const char *path, char *err, size_t errlen);

/* grd_config_load_env - merge GRADER_* variables. Return: 0 or -EINVAL naming the variable. */
int grd_config_load_env(struct grd_config *c, char *err, size_t errlen);

/*
 * grd_config_set - set one setting by its name ("api_url", "workers", "queues", ...) from a
 * string, as a flag or a variable gives it. @origin names the source in messages.
 * Return: 0 or -EINVAL with err filled.
 */
int grd_config_set(struct grd_config *c, const char *key, const char *value, const char *origin,
                   char *err, size_t errlen);

/* grd_config_check - a configuration the service can start with? err names the setting. */
int grd_config_check(const struct grd_config *c, char *err, size_t errlen);

void grd_config_release(struct grd_config *c);

#endif
