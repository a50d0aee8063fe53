/* SPDX-License-Identifier: MIT */
/*
 * The service's configuration: a JSON file, then GRADER_* variables, then flags (docs/service.md).
 * Every setting is one row of grd_settings[]: its file key, variable, flag, type, field, range
 * and help. The getopt options and --help of grader-serve, the variables read, the file keys
 * accepted and the checks of dist/grader.1 and docs/service.md all come from that table.
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
        char *metrics_listen;   /* NULL: off */
        unsigned log_format;    /* index in "auto,json,text" (enum grd_log_format's order) */
        unsigned log_level;     /* index in "debug,info,warn,error" (enum grd_log_level's) */
        bool exit_when_idle;    /* stop once a claim finds no work */
        double give_up_after;   /* exit_when_idle: exit 1 after this long without a claim */
        unsigned unready_after; /* claims failing in a row before readiness turns false */
        bool selftest;          /* run the self-test before the first claim */
        unsigned claim_wait;    /* seconds a claim may be held by the site */
        double grace;           /* seconds to finish work after SIGTERM */
        double default_time;    /* time limit of packages that set none */
        unsigned uid_base;      /* first sandbox uid (one per slot); 0: the sandbox's own */
};

enum grd_setting_type {
        GRD_SETTING_TEXT,    /* a string of min..max bytes; "" means unset when min is 0 */
        GRD_SETTING_URL,     /* an http:// or https:// URL */
        GRD_SETTING_UINT,    /* an unsigned integer in min..max */
        GRD_SETTING_SIZE,    /* bytes with an optional K/M/G suffix, at least min */
        GRD_SETTING_SECONDS, /* seconds, in (min, max] when min_exclusive, else [min, max] */
        GRD_SETTING_BOOL,    /* true/false, yes/no, on/off, 1/0 */
        GRD_SETTING_LIST,    /* comma-separated names (a JSON array in the file) */
        GRD_SETTING_CHOICE,  /* one word of choices, stored as its index */
};

/* One setting of `grader serve`. */
struct grd_setting {
        const char *key;  /* the config file's key, and grd_config_set's name */
        const char *env;  /* its GRADER_* variable */
        const char *flag; /* its long option, without the dashes */
        const char *arg;  /* the option's argument in --help ("URL"); NULL: a switch */
        enum grd_setting_type type;
        size_t offset; /* of its field in struct grd_config */
        double min, max;
        bool min_exclusive;        /* SECONDS: min itself is refused */
        const char *choices;       /* CHOICE: "a,b,c" */
        bool switch_value;         /* BOOL switches: what the flag sets (--no-selftest: false) */
        const char *help;          /* what it does, for --help, the man page and docs/service.md */
        const char *shown_default; /* the default as --help shows it; NULL: none */
};

/* The table, in the order of --help. */
extern const struct grd_setting grd_settings[];
extern const size_t grd_settings_count;

/* grd_setting_find - the row of a file key. Return: the row, or NULL when there is none. */
const struct grd_setting *grd_setting_find(const char *key);

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
 * grd_config_set - set one setting by its file key ("api_url", "workers", "queues", ...) from a
 * string, as a flag or a variable gives it. @origin names the source in messages.
 * Return: 0 or -EINVAL with err filled.
 */
int grd_config_set(struct grd_config *c, const char *key, const char *value, const char *origin,
                   char *err, size_t errlen);

/*
 * grd_config_apply - set the setting of row s from value (NULL for a switch: its switch_value).
 * Return: 0 or -EINVAL with err naming origin, the key and the value.
 */
int grd_config_apply(struct grd_config *c, const struct grd_setting *s, const char *value,
                     const char *origin, char *err, size_t errlen);

/* grd_config_check - a configuration the service can start with? err names the setting. */
int grd_config_check(const struct grd_config *c, char *err, size_t errlen);

void grd_config_release(struct grd_config *c);

#endif
