#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write a seccomp profile that behaves like Docker's default for the calls the sandbox makes.

There is no Docker engine here, and the profile that buildah applies (containers-common's
seccomp.json) is laxer than Docker's: it allows unshare, mount, setns and pivot_root to any
container. scripts/container-test.sh runs `grader doctor` under this profile instead, to see
what the grader does under Docker's default profile. It starts from the containers-common
profile and applies Docker's rules (moby profiles/seccomp/default.json) for the calls that
matter here:

- pivot_root is refused, even with CAP_SYS_ADMIN (Docker never allows it);
- mount, umount2, unshare, setns, sethostname, the new mount API and clone3 are allowed only
  with CAP_SYS_ADMIN (clone3 answers ENOSYS without it);
- clone is allowed with a namespace flag only with CAP_SYS_ADMIN.

One difference remains: calls outside every rule answer ENOSYS here (containers-common's
default), EPERM under Docker; the sandbox treats both as a refusal.

With --allow-pivot-root, pivot_root is allowed with CAP_SYS_ADMIN: the one addition the
sandbox's privileged mode needs (docs/deploy.md).

usage: docker_like_seccomp.py [--allow-pivot-root] BASE.json OUT.json
"""
import json
import sys

# what Docker's default profile gates behind CAP_SYS_ADMIN (of the calls a sandbox uses)
SYS_ADMIN_ONLY = ["mount", "umount", "umount2", "unshare", "setns", "sethostname",
                  "setdomainname", "mount_setattr", "move_mount", "open_tree", "fsopen",
                  "fsconfig", "fsmount", "fspick", "clone", "clone3"]
# CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: Docker's mask for clone
NAMESPACE_FLAGS = 0x7E020000


def main(argv):
    allow_pivot = "--allow-pivot-root" in argv
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    with open(args[0]) as f:
        prof = json.load(f)
    gated = set(SYS_ADMIN_ONLY) | {"pivot_root"}
    rules = []
    for rule in prof["syscalls"]:
        names = [n for n in rule["names"] if n not in gated]
        if names:
            rules.append(dict(rule, names=names))
    rules.append({"names": SYS_ADMIN_ONLY + (["pivot_root"] if allow_pivot else []),
                  "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}})
    # without CAP_SYS_ADMIN Docker answers EPERM
    rules.append({"names": [n for n in SYS_ADMIN_ONLY if n not in ("clone", "clone3")],
                  "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                  "excludes": {"caps": ["CAP_SYS_ADMIN"]}})
    if not allow_pivot:
        rules.append({"names": ["pivot_root"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1})
    rules.append({"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                  "args": [{"index": 0, "value": NAMESPACE_FLAGS, "valueTwo": 0,
                            "op": "SCMP_CMP_MASKED_EQ"}],
                  "excludes": {"caps": ["CAP_SYS_ADMIN"]}})
    # Everything else, clone3 without CAP_SYS_ADMIN included, answers ENOSYS (so glibc falls
    # back from clone3 to clone, as under Docker). Docker answers EPERM to the rest; buildah
    # cannot load an ERRNO rule whose errno is the default one, so the default stays ENOSYS.
    prof["defaultAction"] = "SCMP_ACT_ERRNO"
    prof["defaultErrnoRet"] = 38
    prof["syscalls"] = rules
    with open(args[1], "w") as f:
        json.dump(prof, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
