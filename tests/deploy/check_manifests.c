/* SPDX-License-Identifier: MIT */
/*
 * Parse the Kubernetes manifests (deploy/k8s) and the compose file (docker/compose.yaml) with
 * libyaml and check what a schema cannot: the fields a deployment of grader needs, that every
 * reference resolves (ConfigMap, Secret, volumes, ports, the token path), that every GRADER_*
 * variable is one `grader serve --help` knows, that the capabilities are the sandbox's set,
 * and that the namespace enforces the Pod Security Standard the pod really meets.
 *
 * usage: check_manifests GRADER K8S_DIR COMPOSE_FILE
 * Prints one line per problem; exit status 0 when there is none.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define MAX_DOCS 32
#define MAX_VARS 64

struct doc {
        char file[256];
        yaml_document_t y;
};

static struct doc docs[MAX_DOCS];
static size_t n_docs;
static char *known_vars[MAX_VARS];
static size_t n_known;
static int problems;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fputs("problem: ", stdout);
        vprintf(fmt, ap);
        fputc('\n', stdout);
        va_end(ap);
        problems++;
}

/* ---- a tiny query language over libyaml's document tree ------------------------------- */

static yaml_node_t *root(struct doc *d)
{
        return yaml_document_get_root_node(&d->y);
}

static const char *str(yaml_node_t *n)
{
        return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The value of KEY in mapping N, or NULL. */
static yaml_node_t *key(struct doc *d, yaml_node_t *n, const char *k)
{
        if (!n || n->type != YAML_MAPPING_NODE)
                return NULL;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
                const char *s = str(yaml_document_get_node(&d->y, p->key));
                if (s && !strcmp(s, k))
                        return yaml_document_get_node(&d->y, p->value);
        }
        return NULL;
}

/* Follow a dotted path of mapping keys ("spec.template.spec"). */
static yaml_node_t *path(struct doc *d, yaml_node_t *n, const char *dotted)
{
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", dotted);
        char *save = NULL;
        for (char *k = strtok_r(buf, ".", &save); k && n; k = strtok_r(NULL, ".", &save))
                n = key(d, n, k);
        return n;
}

static const char *pstr(struct doc *d, yaml_node_t *n, const char *dotted)
{
        return str(path(d, n, dotted));
}

static size_t seq_len(yaml_node_t *n)
{
        return n && n->type == YAML_SEQUENCE_NODE
                       ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start)
                       : 0;
}

static yaml_node_t *seq_at(struct doc *d, yaml_node_t *n, size_t i)
{
        return i < seq_len(n) ? yaml_document_get_node(&d->y, n->data.sequence.items.start[i])
                              : NULL;
}

static bool seq_has(struct doc *d, yaml_node_t *n, const char *v)
{
        for (size_t i = 0; i < seq_len(n); i++) {
                const char *s = str(seq_at(d, n, i));
                if (s && !strcmp(s, v))
                        return true;
        }
        return false;
}

/* ---- loading ------------------------------------------------------------------------------- */

static int load(const char *file)
{
        FILE *f = fopen(file, "rb");
        if (!f) {
                problem("%s: cannot open", file);
                return -1;
        }
        yaml_parser_t p;
        yaml_parser_initialize(&p);
        yaml_parser_set_input_file(&p, f);
        int found = 0;
        for (;;) {
                if (n_docs == MAX_DOCS) {
                        problem("%s: too many documents", file);
                        break;
                }
                struct doc *d = &docs[n_docs];
                if (!yaml_parser_load(&p, &d->y)) {
                        problem("%s:%zu:%zu: YAML: %s", file, p.problem_mark.line + 1,
                                p.problem_mark.column + 1, p.problem ? p.problem : "error");
                        break;
                }
                if (!yaml_document_get_root_node(&d->y)) {
                        yaml_document_delete(&d->y);
                        break;
                }
                snprintf(d->file, sizeof(d->file), "%s", file);
                n_docs++;
                found++;
        }
        yaml_parser_delete(&p);
        fclose(f);
        return found;
}

/* GRADER_* names from `grader serve --help`, plus GRADER_CONFIG. */
static void load_known_vars(const char *grader)
{
        char cmd[1200];
        snprintf(cmd, sizeof(cmd), "'%s' serve --help", grader);
        FILE *p = popen(cmd, "r");
        char line[512];
        while (p && fgets(line, sizeof(line), p)) {
                for (char *s = strstr(line, "GRADER_"); s; s = strstr(s + 1, "GRADER_")) {
                        size_t l = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
                        if (n_known < MAX_VARS)
                                known_vars[n_known++] = strndup(s, l);
                }
        }
        if (p)
                pclose(p);
        if (n_known < 10)
                problem("'%s serve --help' names only %zu GRADER_ variables", grader, n_known);
}

static bool known_var(const char *v)
{
        for (size_t i = 0; i < n_known; i++)
                if (!strcmp(known_vars[i], v))
                        return true;
        return false;
}

static struct doc *find(const char *kind, const char *name)
{
        for (size_t i = 0; i < n_docs; i++) {
                const char *k = pstr(&docs[i], root(&docs[i]), "kind");
                const char *n = pstr(&docs[i], root(&docs[i]), "metadata.name");
                if (k && n && !strcmp(k, kind) && (!name || !strcmp(n, name)))
                        return &docs[i];
        }
        return NULL;
}

/* ---- Kubernetes ---------------------------------------------------------------------------- */

/* The capabilities the sandbox uses (docs/deploy.md), and the Pod Security Standards'. */
static const char *const sandbox_caps[] = {"SYS_ADMIN",    "SETUID", "SETGID",
                                           "SETPCAP",      "CHOWN",  "FOWNER",
                                           "DAC_OVERRIDE", "KILL",   "SYS_CHROOT"};
static const char *const baseline_caps[] = {
        "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "MKNOD",
        "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"};

static bool in(const char *v, const char *const *set, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!strcmp(v, set[i]))
                        return true;
        return false;
}

static void check_k8s_object(struct doc *d)
{
        static const char *const api[][2] = {{"Namespace", "v1"},
                                             {"ConfigMap", "v1"},
                                             {"Secret", "v1"},
                                             {"Deployment", "apps/v1"},
                                             {"PodDisruptionBudget", "policy/v1"},
                                             {"Service", "v1"},
                                             {"NetworkPolicy", "networking.k8s.io/v1"},
                                             {"PodMonitor", "monitoring.coreos.com/v1"},
                                             {"ScaledObject", "keda.sh/v1alpha1"},
                                             {"TriggerAuthentication", "keda.sh/v1alpha1"},
                                             {"HorizontalPodAutoscaler", "autoscaling/v2"}};
        yaml_node_t *r = root(d);
        const char *kind = pstr(d, r, "kind"), *ver = pstr(d, r, "apiVersion");
        const char *name = pstr(d, r, "metadata.name");
        if (!kind || !ver || !name) {
                problem("%s: a document without apiVersion, kind or metadata.name", d->file);
                return;
        }
        bool ok = false;
        for (size_t i = 0; i < sizeof(api) / sizeof(api[0]); i++)
                if (!strcmp(kind, api[i][0]))
                        ok = !strcmp(ver, api[i][1]);
        if (!ok)
                problem("%s: %s/%s: unexpected kind or apiVersion %s", d->file, kind, name, ver);
        const char *ns = pstr(d, r, "metadata.namespace");
        if (strcmp(kind, "Namespace") && (!ns || strcmp(ns, "grader")))
                problem("%s: %s/%s: metadata.namespace is not 'grader'", d->file, kind, name);
}

/* The Pod Security Standard level a pod template meets (the controls grader touches). */
static const char *pss_level(struct doc *d, yaml_node_t *pod, yaml_node_t *c)
{
        bool baseline = true, restricted = true;
        const char *seccomp = pstr(d, c, "securityContext.seccompProfile.type");
        if (!seccomp)
                seccomp = pstr(d, pod, "securityContext.seccompProfile.type");
        if (seccomp && !strcmp(seccomp, "Unconfined"))
                baseline = false;
        if (!seccomp || (strcmp(seccomp, "RuntimeDefault") && strcmp(seccomp, "Localhost")))
                restricted = false;
        const char *aa = pstr(d, c, "securityContext.appArmorProfile.type");
        if (aa && !strcmp(aa, "Unconfined"))
                baseline = false;
        const char *priv = pstr(d, c, "securityContext.privileged");
        if (priv && !strcmp(priv, "true"))
                baseline = false;
        yaml_node_t *add = path(d, c, "securityContext.capabilities.add");
        for (size_t i = 0; i < seq_len(add); i++) {
                const char *cap = str(seq_at(d, add, i));
                if (!cap || !in(cap, baseline_caps, sizeof(baseline_caps) / sizeof(*baseline_caps)))
                        baseline = false;
                if (!cap || strcmp(cap, "NET_BIND_SERVICE"))
                        restricted = false;
        }
        yaml_node_t *vols = path(d, pod, "volumes");
        for (size_t i = 0; i < seq_len(vols); i++)
                if (key(d, seq_at(d, vols, i), "hostPath"))
                        baseline = false;
        const char *nonroot = pstr(d, c, "securityContext.runAsNonRoot");
        const char *ape = pstr(d, c, "securityContext.allowPrivilegeEscalation");
        if (!nonroot || strcmp(nonroot, "true") || !ape || strcmp(ape, "false") ||
            !seq_has(d, path(d, c, "securityContext.capabilities.drop"), "ALL"))
                restricted = false;
        return !baseline ? "privileged" : restricted ? "restricted" : "baseline";
}

static void check_deployment(struct doc *d)
{
        yaml_node_t *r = root(d);
        const char *f = d->file;
        const char *replicas = pstr(d, r, "spec.replicas");
        if (!replicas || atoi(replicas) < 2)
                problem("%s: spec.replicas should be 2 or more (scale-out)", f);
        yaml_node_t *sel = path(d, r, "spec.selector.matchLabels");
        yaml_node_t *labels = path(d, r, "spec.template.metadata.labels");
        if (!sel || sel->type != YAML_MAPPING_NODE)
                problem("%s: no spec.selector.matchLabels", f);
        else
                for (yaml_node_pair_t *p = sel->data.mapping.pairs.start;
                     p < sel->data.mapping.pairs.top; p++) {
                        const char *k = str(yaml_document_get_node(&d->y, p->key));
                        const char *v = str(yaml_document_get_node(&d->y, p->value));
                        const char *have = k ? str(key(d, labels, k)) : NULL;
                        if (!have || !v || strcmp(have, v))
                                problem("%s: selector %s=%s does not match the pod labels", f,
                                        k ? k : "?", v ? v : "?");
                }
        struct doc *pdb = find("PodDisruptionBudget", NULL);
        if (pdb) {
                yaml_node_t *ps = path(pdb, root(pdb), "spec.selector.matchLabels");
                if (!ps || ps->type != YAML_MAPPING_NODE)
                        problem("%s: the PodDisruptionBudget has no selector", pdb->file);
                else
                        for (yaml_node_pair_t *p = ps->data.mapping.pairs.start;
                             p < ps->data.mapping.pairs.top; p++) {
                                const char *k = str(yaml_document_get_node(&pdb->y, p->key));
                                const char *v = str(yaml_document_get_node(&pdb->y, p->value));
                                const char *have = k ? str(key(d, labels, k)) : NULL;
                                if (!have || !v || strcmp(have, v))
                                        problem("%s: the PodDisruptionBudget selects no pod",
                                                pdb->file);
                        }
        }

        yaml_node_t *pod = path(d, r, "spec.template.spec");
        yaml_node_t *cs = key(d, pod, "containers");
        yaml_node_t *vols = key(d, pod, "volumes");
        if (!seq_len(cs))
                problem("%s: no containers", f);
        struct doc *cm = NULL;
        for (size_t i = 0; i < seq_len(cs); i++) {
                yaml_node_t *c = seq_at(d, cs, i);
                const char *cname = pstr(d, c, "name");
                if (!cname || !pstr(d, c, "image"))
                        problem("%s: a container without name or image", f);
                cname = cname ? cname : "?";
                static const char *const needed[] = {"livenessProbe",
                                                     "readinessProbe",
                                                     "resources.requests.cpu",
                                                     "resources.requests.memory",
                                                     "resources.limits.cpu",
                                                     "resources.limits.memory",
                                                     "securityContext.capabilities.drop"};
                for (size_t k = 0; k < sizeof(needed) / sizeof(*needed); k++)
                        if (!path(d, c, needed[k]))
                                problem("%s: container %s: no %s", f, cname, needed[k]);
                for (const char *const *res = (const char *const[]){"cpu", "memory", NULL}; *res;
                     res++) {
                        char a[64], b[64];
                        snprintf(a, sizeof(a), "resources.requests.%s", *res);
                        snprintf(b, sizeof(b), "resources.limits.%s", *res);
                        const char *x = pstr(d, c, a), *y = pstr(d, c, b);
                        if (x && y && strcmp(x, y))
                                problem("%s: container %s: %s request and limit differ (not "
                                        "Guaranteed QoS)",
                                        f, cname, *res);
                }
                /* probes: exec grader health, httpGet on a declared port */
                yaml_node_t *live = path(d, c, "livenessProbe.exec.command");
                const char *l0 = str(seq_at(d, live, 0)), *l1 = str(seq_at(d, live, 1));
                if (!l0 || strcmp(l0, "grader") || !l1 || strcmp(l1, "health"))
                        problem("%s: container %s: the liveness probe is not 'grader health'", f,
                                cname);
                const char *rport = pstr(d, c, "readinessProbe.httpGet.port");
                yaml_node_t *ports = key(d, c, "ports");
                const char *metrics_port = NULL;
                bool port_ok = !rport;
                for (size_t k = 0; k < seq_len(ports); k++) {
                        yaml_node_t *p = seq_at(d, ports, k);
                        const char *pn = pstr(d, p, "name"), *pc = pstr(d, p, "containerPort");
                        if (rport && ((pn && !strcmp(pn, rport)) || (pc && !strcmp(pc, rport)))) {
                                port_ok = true;
                                metrics_port = pc;
                        }
                }
                if (!port_ok)
                        problem("%s: container %s: readiness probe port '%s' is not declared", f,
                                cname, rport);
                /* security context */
                yaml_node_t *sc = key(d, c, "securityContext");
                if (!seq_has(d, path(d, sc, "capabilities.drop"), "ALL"))
                        problem("%s: container %s: capabilities.drop lacks ALL", f, cname);
                yaml_node_t *add = path(d, sc, "capabilities.add");
                for (size_t k = 0; k < seq_len(add); k++) {
                        const char *cap = str(seq_at(d, add, k));
                        if (!cap ||
                            !in(cap, sandbox_caps, sizeof(sandbox_caps) / sizeof(*sandbox_caps)))
                                problem("%s: container %s: capability %s is not one the sandbox "
                                        "uses",
                                        f, cname, cap ? cap : "?");
                }
                const char *ro = pstr(d, sc, "readOnlyRootFilesystem");
                if (!ro || strcmp(ro, "true"))
                        problem("%s: container %s: readOnlyRootFilesystem is not true", f, cname);
                const char *priv = pstr(d, sc, "privileged");
                if (priv && !strcmp(priv, "true"))
                        problem("%s: container %s: privileged", f, cname);
                /* configuration: envFrom ConfigMaps, GRADER_* variables */
                yaml_node_t *ef = key(d, c, "envFrom");
                for (size_t k = 0; k < seq_len(ef); k++) {
                        const char *n = pstr(d, seq_at(d, ef, k), "configMapRef.name");
                        struct doc *m = n ? find("ConfigMap", n) : NULL;
                        if (!m)
                                problem("%s: envFrom: no ConfigMap '%s'", f, n ? n : "?");
                        else
                                cm = m;
                }
                const char *token_file = NULL;
                yaml_node_t *env = key(d, c, "env");
                for (size_t k = 0; k < seq_len(env); k++) {
                        yaml_node_t *e = seq_at(d, env, k);
                        const char *n = pstr(d, e, "name");
                        if (!n || !known_var(n))
                                problem("%s: env %s is not a variable of grader serve", f,
                                        n ? n : "?");
                        if (n && !strcmp(n, "GRADER_API_TOKEN_FILE"))
                                token_file = pstr(d, e, "value");
                }
                const char *grace = "30", *listen = NULL;
                if (cm) {
                        yaml_node_t *data = key(cm, root(cm), "data");
                        for (yaml_node_pair_t *p = data ? data->data.mapping.pairs.start : NULL;
                             p && p < data->data.mapping.pairs.top; p++) {
                                const char *k = str(yaml_document_get_node(&cm->y, p->key));
                                if (!k || !known_var(k))
                                        problem("%s: ConfigMap key %s is not a variable of "
                                                "grader serve",
                                                cm->file, k ? k : "?");
                        }
                        grace = pstr(cm, data, "GRADER_GRACE_PERIOD")
                                        ? pstr(cm, data, "GRADER_GRACE_PERIOD")
                                        : grace;
                        listen = pstr(cm, data, "GRADER_METRICS_LISTEN");
                        if (!pstr(cm, data, "GRADER_API_URL"))
                                problem("%s: no GRADER_API_URL", cm->file);
                }
                const char *tgp = pstr(d, pod, "terminationGracePeriodSeconds");
                if (!tgp || atof(tgp) <= atof(grace))
                        problem("%s: terminationGracePeriodSeconds (%s) is not above the grace "
                                "period (%s)",
                                f, tgp ? tgp : "30", grace);
                if (rport && (!listen || !metrics_port || !strstr(listen, metrics_port)))
                        problem("%s: readiness probe port %s but GRADER_METRICS_LISTEN is %s", f,
                                metrics_port ? metrics_port : rport, listen ? listen : "unset");
                /* volumes: every mount resolves; the token lands where GRADER_API_TOKEN_FILE
                 * says; the service's directories are volumes (the root is read-only) */
                yaml_node_t *mounts = key(d, c, "volumeMounts");
                static const char *const dirs[] = {"/var/cache/grader",    "/var/spool/grader",
                                                   "/var/lib/grader/work", "/run/grader",
                                                   "/run/grader-sandbox",  "/tmp"};
                for (size_t k = 0; k < sizeof(dirs) / sizeof(*dirs); k++) {
                        bool have = false;
                        for (size_t m = 0; m < seq_len(mounts); m++) {
                                const char *mp = pstr(d, seq_at(d, mounts, m), "mountPath");
                                have |= mp && !strcmp(mp, dirs[k]);
                        }
                        if (!have)
                                problem("%s: container %s: %s is not a volume", f, cname, dirs[k]);
                }
                bool token_ok = false;
                for (size_t m = 0; m < seq_len(mounts); m++) {
                        yaml_node_t *mt = seq_at(d, mounts, m);
                        const char *vn = pstr(d, mt, "name"), *mp = pstr(d, mt, "mountPath");
                        yaml_node_t *vol = NULL;
                        for (size_t v = 0; v < seq_len(vols); v++) {
                                const char *n = pstr(d, seq_at(d, vols, v), "name");
                                if (vn && n && !strcmp(vn, n))
                                        vol = seq_at(d, vols, v);
                        }
                        if (!vol) {
                                problem("%s: volumeMount %s: no such volume", f, vn ? vn : "?");
                                continue;
                        }
                        const char *sn = pstr(d, vol, "secret.secretName");
                        if (!sn)
                                continue;
                        struct doc *s = find("Secret", sn);
                        if (!s) {
                                problem("%s: volume %s: no Secret '%s'", f, vn, sn);
                                continue;
                        }
                        yaml_node_t *items = path(d, vol, "secret.items");
                        for (size_t it = 0; it < seq_len(items); it++) {
                                const char *k = pstr(d, seq_at(d, items, it), "key");
                                const char *p = pstr(d, seq_at(d, items, it), "path");
                                if (!k ||
                                    (!path(s, root(s), "stringData") &&
                                     !path(s, root(s), "data")) ||
                                    (!key(s, path(s, root(s), "stringData"), k) &&
                                     !key(s, path(s, root(s), "data"), k)))
                                        problem("%s: Secret %s has no key '%s'", s->file, sn,
                                                k ? k : "?");
                                char full[512];
                                snprintf(full, sizeof(full), "%s/%s", mp ? mp : "", p ? p : "");
                                if (token_file && !strcmp(full, token_file))
                                        token_ok = true;
                        }
                }
                if (!token_ok)
                        problem("%s: the token secret is not mounted at GRADER_API_TOKEN_FILE (%s)",
                                f, token_file ? token_file : "unset");
                /* the Pod Security Standard: the namespace enforces what the pod meets */
                const char *level = pss_level(d, pod, c);
                struct doc *nsd = find("Namespace", "grader");
                const char *enforce = NULL;
                if (nsd) {
                        yaml_node_t *nl = path(nsd, root(nsd), "metadata.labels");
                        enforce = str(key(nsd, nl, "pod-security.kubernetes.io/enforce"));
                }
                if (!enforce || strcmp(enforce, level))
                        problem("%s: the pod meets Pod Security Standard '%s' but the namespace "
                                "enforces '%s'",
                                f, level, enforce ? enforce : "nothing");
                else
                        printf("deployment: container %s meets Pod Security Standard '%s', "
                               "enforced by its namespace\n",
                               cname, level);
        }
}

/* Does the mapping of labels at n (matchLabels or a selector) select the grader's pods? */
static bool selects_graders(struct doc *d, yaml_node_t *n)
{
        const char *v = str(key(d, n, "app.kubernetes.io/name"));
        return v && !strcmp(v, "grader");
}

/* The objects around the Deployment: they point at it, its pods and its metrics port. */
static void check_around(const char *dir)
{
        struct doc *d;
        if ((d = find("Service", NULL))) {
                if (!selects_graders(d, path(d, root(d), "spec.selector")))
                        problem("%s: the Service does not select the grader pods", d->file);
                yaml_node_t *ports = path(d, root(d), "spec.ports");
                const char *tp = str(key(d, seq_at(d, ports, 0), "targetPort"));
                if (!tp || strcmp(tp, "metrics"))
                        problem("%s: the Service's targetPort is not the pods' 'metrics'", d->file);
        }
        if ((d = find("PodMonitor", NULL))) {
                if (!selects_graders(d, path(d, root(d), "spec.selector.matchLabels")))
                        problem("%s: the PodMonitor does not select the grader pods", d->file);
                yaml_node_t *eps = path(d, root(d), "spec.podMetricsEndpoints");
                const char *port = str(key(d, seq_at(d, eps, 0), "port"));
                const char *mp = str(key(d, seq_at(d, eps, 0), "path"));
                if (!port || strcmp(port, "metrics") || !mp || strcmp(mp, "/metrics"))
                        problem("%s: the PodMonitor does not scrape port 'metrics' /metrics",
                                d->file);
        }
        if ((d = find("NetworkPolicy", NULL))) {
                yaml_node_t *r = root(d);
                if (!selects_graders(d, path(d, r, "spec.podSelector.matchLabels")))
                        problem("%s: the NetworkPolicy does not select the grader pods", d->file);
                if (!seq_has(d, path(d, r, "spec.policyTypes"), "Egress"))
                        problem("%s: the NetworkPolicy does not restrict egress", d->file);
                /* egress: the site (an ipBlock) and DNS, nothing open to everyone */
                yaml_node_t *eg = path(d, r, "spec.egress");
                for (size_t i = 0; i < seq_len(eg); i++)
                        if (!key(d, seq_at(d, eg, i), "to"))
                                problem("%s: egress rule %zu allows every destination", d->file, i);
        }
        for (size_t i = 0; i < n_docs; i++) {
                d = &docs[i];
                const char *kind = pstr(d, root(d), "kind");
                if (!kind ||
                    (strcmp(kind, "ScaledObject") && strcmp(kind, "HorizontalPodAutoscaler")))
                        continue;
                const char *target = pstr(d, root(d), "spec.scaleTargetRef.name");
                if (!target || !find("Deployment", target))
                        problem("%s: %s scales '%s', which is not the Deployment", d->file, kind,
                                target ? target : "nothing");
                yaml_node_t *trig = path(d, root(d), "spec.triggers");
                for (size_t t = 0; t < seq_len(trig); t++) {
                        yaml_node_t *md = key(d, seq_at(d, trig, t), "metadata");
                        const char *url = str(key(d, md, "url"));
                        const char *ref = pstr(d, seq_at(d, trig, t), "authenticationRef.name");
                        if (!url || !strstr(url, "/queues"))
                                problem("%s: trigger %zu does not read GET /queues", d->file, t);
                        if (!ref || !find("TriggerAuthentication", ref))
                                problem("%s: trigger %zu: no TriggerAuthentication '%s'", d->file,
                                        t, ref ? ref : "");
                }
        }
        (void)dir;
}

static void check_k8s(const char *dir)
{
        char file[512];
        snprintf(file, sizeof(file), "%s/kustomization.yaml", dir);
        size_t first = n_docs;
        if (load(file) != 1)
                return;
        struct doc *k = &docs[first];
        yaml_node_t *res = key(k, root(k), "resources");
        if (!seq_len(res))
                problem("%s: no resources", file);
        for (size_t i = 0; i < seq_len(res); i++) {
                snprintf(file, sizeof(file), "%s/%s", dir, str(seq_at(k, res, i)));
                if (load(file) <= 0)
                        problem("%s: no document", file);
        }
        /* the Secret is an example, created from the real token instead; the objects that
         * need an operator's CRDs, and the HPA example, are applied by hand */
        static const char *const by_hand[] = {"secret.example.yaml", "podmonitor.yaml", "keda.yaml",
                                              "hpa.example.yaml"};
        for (size_t i = 0; i < sizeof(by_hand) / sizeof(*by_hand); i++) {
                snprintf(file, sizeof(file), "%s/%s", dir, by_hand[i]);
                if (load(file) <= 0)
                        problem("%s: no document", file);
        }
        /* no stray manifest: every YAML file is a resource, the kustomization or the example */
        DIR *dd = opendir(dir);
        for (struct dirent *de = dd ? readdir(dd) : NULL; de; de = readdir(dd)) {
                const char *n = de->d_name;
                size_t l = strlen(n);
                if (l < 5 || strcmp(n + l - 5, ".yaml"))
                        continue;
                bool known = !strcmp(n, "kustomization.yaml") || seq_has(k, res, n);
                for (size_t i = 0; i < sizeof(by_hand) / sizeof(*by_hand); i++)
                        known = known || !strcmp(n, by_hand[i]);
                if (known)
                        continue;
                problem("%s/%s: not listed in kustomization.yaml", dir, n);
        }
        if (dd)
                closedir(dd);
        const char *kns = pstr(k, root(k), "namespace");
        if (!kns || strcmp(kns, "grader"))
                problem("kustomization.yaml: namespace is not 'grader'");
        for (size_t i = first + 1; i < n_docs; i++)
                check_k8s_object(&docs[i]);
        static const char *const kinds[] = {"Namespace",
                                            "ConfigMap",
                                            "Secret",
                                            "Deployment",
                                            "PodDisruptionBudget",
                                            "Service",
                                            "NetworkPolicy",
                                            "PodMonitor",
                                            "ScaledObject",
                                            "TriggerAuthentication",
                                            "HorizontalPodAutoscaler"};
        for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
                if (!find(kinds[i], NULL))
                        problem("%s: no %s", dir, kinds[i]);
        struct doc *dep = find("Deployment", "grader");
        if (dep)
                check_deployment(dep);
        check_around(dir);
        printf("kubernetes: %zu objects in %s checked\n", n_docs - first - 1, dir);
}

/* ---- compose ------------------------------------------------------------------------------- */

static bool exists_rel(const char *base_file, const char *rel)
{
        char dir[512], full[1024];
        snprintf(dir, sizeof(dir), "%s", base_file);
        char *slash = strrchr(dir, '/');
        if (slash)
                *slash = '\0';
        else
                snprintf(dir, sizeof(dir), ".");
        snprintf(full, sizeof(full), "%s/%s", dir, rel);
        struct stat st;
        return stat(full, &st) == 0;
}

static void check_compose(const char *file)
{
        size_t first = n_docs;
        if (load(file) != 1)
                return;
        struct doc *d = &docs[first];
        yaml_node_t *r = root(d);
        yaml_node_t *site = path(d, r, "services.site"), *gr = path(d, r, "services.grader");
        if (!site || !gr) {
                problem("%s: services 'site' and 'grader' are needed", file);
                return;
        }
        const char *reps = pstr(d, gr, "deploy.replicas");
        if (!reps || atoi(reps) != 2)
                problem("%s: grader: deploy.replicas is not 2", file);
        /* CPU and memory limits on both, the graders' at least one CPU and 2 GiB per worker */
        for (yaml_node_t *svc = site; svc; svc = svc == site ? gr : NULL) {
                const char *name = svc == site ? "site" : "grader";
                const char *cpus = pstr(d, svc, "deploy.resources.limits.cpus");
                const char *mem = pstr(d, svc, "deploy.resources.limits.memory");
                if (!cpus || !mem)
                        problem("%s: %s: no deploy.resources.limits cpus and memory", file, name);
                else
                        printf("compose: %s limited to %s CPUs and %s\n", name, cpus, mem);
                if (svc == gr && cpus && mem) {
                        const char *w = pstr(d, key(d, gr, "environment"), "GRADER_WORKERS");
                        double workers = w ? atof(w) : 1, mib = atof(mem);
                        if (strchr(mem, 'G') || strchr(mem, 'g'))
                                mib *= 1024;
                        if (atof(cpus) < workers || mib < workers * 2048)
                                problem("%s: grader: limits %s CPUs, %s for %s workers: want a "
                                        "CPU and 2G per worker",
                                        file, cpus, mem, w ? w : "1");
                }
        }
        const char *ctx = pstr(d, gr, "build.context"), *df = pstr(d, gr, "build.dockerfile");
        char rel[512];
        snprintf(rel, sizeof(rel), "%s/%s", ctx ? ctx : ".", df ? df : "Dockerfile");
        if (!exists_rel(file, rel))
                problem("%s: grader: build %s does not exist", file, rel);
        /* the site's port, and the URL the graders use */
        yaml_node_t *cmd = key(d, site, "command");
        const char *port = NULL;
        for (size_t i = 0; i + 1 < seq_len(cmd); i++)
                if (str(seq_at(d, cmd, i)) && !strcmp(str(seq_at(d, cmd, i)), "--port"))
                        port = str(seq_at(d, cmd, i + 1));
        yaml_node_t *env = key(d, gr, "environment");
        const char *url = pstr(d, env, "GRADER_API_URL");
        char want[128];
        snprintf(want, sizeof(want), "http://site:%s/", port ? port : "?");
        if (!url || strncmp(url, want, strlen(want)))
                problem("%s: grader: GRADER_API_URL %s does not reach the site (%s...)", file,
                        url ? url : "unset", want);
        for (yaml_node_pair_t *p =
                     env && env->type == YAML_MAPPING_NODE ? env->data.mapping.pairs.start : NULL;
             p && p < env->data.mapping.pairs.top; p++) {
                const char *k = str(yaml_document_get_node(&d->y, p->key));
                if (!k || !known_var(k))
                        problem("%s: grader: %s is not a variable of grader serve", file,
                                k ? k : "?");
        }
        /* secrets and named volumes resolve; bind sources exist */
        for (yaml_node_t *svc = site; svc; svc = svc == site ? gr : NULL) {
                yaml_node_t *sec = key(d, svc, "secrets");
                for (size_t i = 0; i < seq_len(sec); i++) {
                        const char *s = str(seq_at(d, sec, i));
                        if (!s || !path(d, key(d, r, "secrets"), s))
                                problem("%s: secret %s is not declared", file, s ? s : "?");
                }
                yaml_node_t *vol = key(d, svc, "volumes");
                for (size_t i = 0; i < seq_len(vol); i++) {
                        const char *v = str(seq_at(d, vol, i));
                        if (!v)
                                continue;
                        char src[256];
                        snprintf(src, sizeof(src), "%s", v);
                        char *colon = strchr(src, ':');
                        if (colon)
                                *colon = '\0';
                        if (src[0] == '.') {
                                if (!exists_rel(file, src))
                                        problem("%s: bind source %s does not exist", file, src);
                        } else if (src[0] != '/' && !key(d, key(d, r, "volumes"), src)) {
                                problem("%s: volume %s is not declared", file, src);
                        }
                }
        }
        if (!seq_has(d, key(d, gr, "cap_drop"), "ALL"))
                problem("%s: grader: cap_drop lacks ALL", file);
        yaml_node_t *add = key(d, gr, "cap_add");
        for (size_t i = 0; i < seq_len(add); i++) {
                const char *cap = str(seq_at(d, add, i));
                if (!cap || !in(cap, sandbox_caps, sizeof(sandbox_caps) / sizeof(*sandbox_caps)))
                        problem("%s: grader: capability %s is not one the sandbox uses", file,
                                cap ? cap : "?");
        }
        const char *priv = pstr(d, gr, "privileged");
        if (priv && !strcmp(priv, "true"))
                problem("%s: grader: privileged", file);
        bool slots = false, work_exec = false;
        yaml_node_t *vol = key(d, gr, "volumes");
        for (size_t i = 0; i < seq_len(vol); i++)
                slots |= str(seq_at(d, vol, i)) &&
                         !strcmp(str(seq_at(d, vol, i)), "/run/grader-sandbox:/run/grader-sandbox");
        yaml_node_t *tmpfs = key(d, gr, "tmpfs");
        for (size_t i = 0; i < seq_len(tmpfs); i++) {
                const char *t = str(seq_at(d, tmpfs, i));
                work_exec |= t && !strncmp(t, "/var/lib/grader/work:", 21) && strstr(t, "exec") &&
                             !strstr(t, "noexec");
        }
        if (!slots)
                problem("%s: grader: the host's /run/grader-sandbox is not shared", file);
        if (!work_exec)
                problem("%s: grader: /var/lib/grader/work is not an exec tmpfs", file);
        printf("compose: %s checked (site + %s grader replicas)\n", file, reps ? reps : "?");
}

int main(int argc, char **argv)
{
        if (argc != 4) {
                fprintf(stderr, "usage: check_manifests GRADER K8S_DIR COMPOSE_FILE\n");
                return 2;
        }
        load_known_vars(argv[1]);
        check_k8s(argv[2]);
        check_compose(argv[3]);
        for (size_t i = 0; i < n_docs; i++)
                yaml_document_delete(&docs[i].y);
        for (size_t i = 0; i < n_known; i++)
                free(known_vars[i]);
        printf("%d problem(s)\n", problems);
        return problems ? 1 : 0;
}
