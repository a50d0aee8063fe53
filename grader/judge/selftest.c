/* SPDX-License-Identifier: MIT */
/*
 * The start-up self-test. A libc or runtime upgrade that needs a system call the allow-list
 * lacks would otherwise show up as every student's program failing; here it shows up once,
 * at start, with the call's name.
 */
#include "selftest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "common.h"

struct probe {
        const char *lang;
        const char *file;
        const char *source;
        bool required;
};

static const struct probe probes[] = {
        {"c", "main.c",
         "#include <stdio.h>\n#include <stdlib.h>\n#include <math.h>\n"
         "int main(void){long a,b; if(scanf(\"%ld %ld\",&a,&b)!=2) return 1;\n"
         "char *p=malloc(1<<20); p[0]=1; printf(\"%ld\\n\",a+b+(long)sqrt(0.0)); free(p);"
         " return 0;}\n",
         true},
        {"cpp", "main.cpp",
         "#include <iostream>\n#include <vector>\n#include <string>\n#include <algorithm>\n"
         "int main(){long a,b; std::cin>>a>>b; std::vector<long> v{a,b};\n"
         "std::sort(v.begin(),v.end()); std::cout<<v[0]+v[1]<<std::endl; return 0;}\n",
         true},
        {"python3", "main.py",
         "import sys, math, collections, re\n"
         "a, b = map(int, sys.stdin.read().split())\nprint(a + b)\n",
         true},
        {"java", "Main.java",
         "import java.util.*;\npublic class Main { public static void main(String[] x) {\n"
         "Scanner s = new Scanner(System.in); long a = s.nextLong(), b = s.nextLong();\n"
         "List<Long> l = new ArrayList<>(); l.add(a + b); System.out.println(l.get(0)); } }\n",
         false},
        /*
         * The other languages of the table, each reading "2 3" and printing 5 with its usual
         * I/O and start-up (threads, heap reservations, signal handlers of its runtime);
         * skipped where not installed.
         */
        {"kotlin", "main.kt",
         "fun main() { val (a, b) = readLine()!!.split(\" \").map { it.toLong() }\n"
         "println(a + b) }\n",
         false},
        {"rust", "main.rs",
         "use std::io::Read;\nfn main() { let mut s = String::new();\n"
         "std::io::stdin().read_to_string(&mut s).unwrap();\n"
         "let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();\n"
         "println!(\"{}\", v[0] + v[1]); }\n",
         false},
        {"go", "main.go",
         "package main\nimport \"fmt\"\nfunc main() { var a, b int64\n"
         "fmt.Scan(&a, &b)\nfmt.Println(a + b) }\n",
         false},
        {"javascript", "main.js",
         "const v = require('fs').readFileSync(0, 'utf8').trim()"
         ".split(/\\s+/).map(Number);\nconsole.log(v[0] + v[1]);\n",
         false},
        {"csharp", "main.cs",
         "using System;\nclass P { static void Main() {\n"
         "var v = Console.ReadLine().Split(' ');\n"
         "Console.WriteLine(long.Parse(v[0]) + long.Parse(v[1])); } }\n",
         false},
        {"haskell", "main.hs",
         "main :: IO ()\nmain = interact $ \\s -> "
         "show (sum (map read (words s) :: [Integer])) ++ \"\\n\"\n",
         false},
        {"ocaml", "main.ml",
         "let () = Scanf.scanf \" %d %d\" (fun a b -> Printf.printf \"%d\\n\" "
         "(a + b))\n",
         false},
        {"ruby", "main.rb", "a, b = STDIN.read.split.map(&:to_i)\nputs a + b\n", false},
        {"php", "main.php",
         "<?php\n[$a, $b] = array_map('intval', preg_split('/\\s+/', "
         "trim(stream_get_contents(STDIN))));\necho $a + $b, \"\\n\";\n",
         false},
        {"pascal", "main.pas",
         "program main;\nvar a, b: int64;\nbegin\n  readln(a, b);\n"
         "  writeln(a + b);\nend.\n",
         false},
        {"lisp", "main.lisp", "(format t \"~D~%\" (+ (read) (read)))\n", false},
        {"prolog", "main.pl",
         "main :- read_line_to_string(user_input, S), split_string(S, \" \", \" \", [A, B]),\n"
         "  number_string(X, A), number_string(Y, B), Z is X + Y, format(\"~d~n\", [Z]).\n",
         false},
        {"lua", "main.lua", "local a, b = io.read(\"n\", \"n\")\nprint(a + b)\n", false},
        {"perl", "main.pm", "my ($a, $b) = split ' ', <STDIN>;\nprint $a + $b, \"\\n\";\n", false},
        {"bash", "main.sh", "read -r a b\necho $((a + b))\n", false},
        {"fortran", "main.f90",
         "program main\n  integer(8) :: a, b\n  read *, a, b\n"
         "  print '(I0)', a + b\nend program main\n",
         false},
        {"ada", "main.adb",
         "with Ada.Long_Long_Integer_Text_IO; use Ada.Long_Long_Integer_Text_IO;\n"
         "with Ada.Text_IO;\nprocedure Main is\n   A, B : Long_Long_Integer;\nbegin\n"
         "   Get (A); Get (B); Put (A + B, Width => 0); Ada.Text_IO.New_Line;\nend Main;\n",
         false},
        {"r", "main.R",
         "v <- scan(file(\"stdin\"), quiet = TRUE)\ncat(v[1] + v[2], \"\\n\", "
         "sep = \"\")\n",
         false},
        {"scala", "Main.scala",
         "object Main { def main(args: Array[String]): Unit = {\n"
         "val v = scala.io.StdIn.readLine().split(\" \").map(_.toLong)\nprintln(v(0) + v(1)) } }\n",
         false},
        {"pypy3", "main.py", "a, b = map(int, input().split())\nprint(a + b)\n", false},
};

int grd_selftest_program(const char *id, const char **file, const char **source)
{
        for (size_t i = 0; i < CMN_ARRAY_SIZE(probes); i++) {
                if (strcmp(probes[i].lang, id) == 0) {
                        *file = probes[i].file;
                        *source = probes[i].source;
                        return 0;
                }
        }
        return -ENOENT;
}

static int check(struct grd_env *env, const struct grd_language *l, const struct probe *pr,
                 const char *input, char *why, size_t whylen)
{
        struct grd_source src = {.name = pr->file,
                                 .data = (const unsigned char *)pr->source,
                                 .len = strlen(pr->source)};
        struct grd_compiled c;
        char err[256];
        int r = grd_compile(env, l, &src, 1, &c, err, sizeof(err));
        if (r < 0) {
                snprintf(why, whylen, "%s: %s", l->id, err);
                return -1;
        }
        if (!c.ok) {
                snprintf(why, whylen, "%s: compiling failed: %s%s%s", l->id,
                         sbx_status_name(c.res.status), c.res.message[0] ? ": " : "",
                         c.output && c.output[0] ? c.output : c.res.message);
                grd_compiled_release(&c);
                return -1;
        }
        char outpath[PATH_MAX];
        if (snprintf(outpath, sizeof(outpath), "%s/selftest-%s.out", env->workroot, l->id) >=
            (int)sizeof(outpath)) {
                grd_compiled_release(&c);
                return -1;
        }
        int ofd = open(outpath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (ofd < 0) {
                snprintf(why, whylen, "%.300s: %s", outpath, strerror(errno));
                grd_compiled_release(&c);
                return -1;
        }
        struct grd_run_spec spec = {.time = 5,
                                    .wall = 20,
                                    .memory = 256u << 20,
                                    .output = 1 << 20,
                                    .stdin_path = input,
                                    .stdout_fd = ofd,
                                    .stderr_fd = -1};
        struct sbx_result res;
        r = grd_run_compiled(env, &c, &spec, &res, err, sizeof(err));
        grd_compiled_release(&c);
        char buf[64] = "";
        ssize_t n = pread(ofd, buf, sizeof(buf) - 1, 0);
        close(ofd);
        buf[n > 0 ? n : 0] = '\0';
        if (r < 0) {
                snprintf(why, whylen, "%s: %s", l->id, err);
                return -1;
        }
        if (res.status != SBX_STATUS_OK) {
                snprintf(why, whylen, "%s: the test program ended %s: %s", l->id,
                         sbx_status_name(res.status), res.message);
                return -1;
        }
        if (strcmp(buf, "5\n") != 0) {
                snprintf(why, whylen, "%s: the test program printed '%.20s', not '5'", l->id, buf);
                return -1;
        }
        return 0;
}

int grd_selftest(const struct sbx_policy *p, const struct grd_languages *langs, unsigned slot,
                 void (*on_line)(void *ctx, const struct grd_selftest_line *l), void *ctx,
                 char *why, size_t whylen)
{
        struct grd_env env;
        int r = grd_env_init(&env, p, slot, NULL);
        if (r < 0) {
                snprintf(why, whylen, "creating a scratch dir: %s", strerror(-r));
                return r;
        }
        char input[PATH_MAX];
        r = cmn_join(input, sizeof(input), env.workroot, "selftest.in");
        if (r == 0)
                r = cmn_write_file_atomic(input, GRD_SELFTEST_INPUT, strlen(GRD_SELFTEST_INPUT),
                                          0644);
        if (r < 0) {
                snprintf(why, whylen, "writing '%s': %s", input, strerror(-r));
                grd_env_release(&env);
                return r;
        }
        int failed = 0;
        why[0] = '\0';
        for (size_t i = 0; i < CMN_ARRAY_SIZE(probes); i++) {
                const struct probe *pr = &probes[i];
                const struct grd_language *l = grd_language_find(langs, pr->lang);
                const char *missing = l ? grd_language_missing(l) : "no such language";
                if (!l || missing) {
                        struct grd_selftest_line line = {
                                pr->lang, pr->required ? "FAIL" : "skipped", 0, missing};
                        if (on_line)
                                on_line(ctx, &line);
                        if (pr->required) {
                                if (!failed)
                                        snprintf(why, whylen, "%s: %s", pr->lang, missing);
                                failed++;
                        }
                        continue;
                }
                char msg[512] = "";
                double t0 = cmn_monotonic();
                int ok = check(&env, l, pr, input, msg, sizeof(msg));
                struct grd_selftest_line line = {pr->lang, ok == 0 ? "ok" : "FAIL",
                                                 cmn_monotonic() - t0, ok == 0 ? "" : msg};
                if (on_line)
                        on_line(ctx, &line);
                if (ok < 0) {
                        if (!failed)
                                cmn_strlcpy(why, msg, whylen);
                        failed++;
                }
        }
        grd_env_release(&env);
        return failed;
}
