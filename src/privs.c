/* privs.c - dropping root and every capability (see privs.h). */
#include "privs.h"

#include "config.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* "CapEff:\t0000000000000000" and the like from /proc/self/status. */
static unsigned long long status_caps(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return ~0ULL;
    char line[256];
    size_t n = strlen(field);
    unsigned long long v = ~0ULL;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':') {
            v = strtoull(line + n + 1, NULL, 16);
            break;
        }
    fclose(f);
    return v;
}

unsigned long long privs_cap_effective(void)
{
    return status_caps("CapEff");
}

/* Clear the permitted, effective and inheritable sets (capset(2) directly:
 * no libcap needed) and the ambient set. */
static bool clear_caps(char *err, size_t errlen)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
#ifdef PR_CAP_AMBIENT
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);   /* fails harmlessly on old kernels */
#endif
    if (syscall(SYS_capset, &hdr, data) != 0) {
        snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
        return false;
    }
    return true;
}

/* What the kernel says now: no capability in any set that could be used. */
static bool caps_all_clear(char *err, size_t errlen)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) != 0) {
        snprintf(err, errlen, "cannot read the capabilities left: %s", strerror(errno));
        return false;
    }
    for (int i = 0; i < 2; i++)
        if (data[i].effective || data[i].permitted) {
            snprintf(err, errlen, "capabilities are still held after dropping privileges");
            return false;
        }
    unsigned long long eff = status_caps("CapEff"), amb = status_caps("CapAmb");
    if (eff != 0 || (amb != 0 && amb != ~0ULL)) {
        snprintf(err, errlen, "capabilities are still held after dropping privileges (CapEff %llx)", eff);
        return false;
    }
    return true;
}

bool privs_drop(const char *user, char *err, size_t errlen)
{
    if (!user)
        user = PRIVS_DEFAULT_USER;
    /* No privilege can come back through exec (setuid binaries, file caps). */
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);

    if (getuid() != 0 && geteuid() != 0) {
        /* An ordinary user, perhaps with CAP_NET_RAW on the binary. */
        if (privs_cap_effective() != 0 && !clear_caps(err, errlen))
            return false;
        return caps_all_clear(err, errlen);
    }

    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "cannot drop root privileges: there is no user \"%s\" (name another with -Z USER)",
                 user);
        return false;
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (uid == 0) {
        snprintf(err, errlen, "-Z %s: that user is root; name an unprivileged user", user);
        return false;
    }
    if (setgroups(1, &gid) != 0) {
        snprintf(err, errlen, "cannot drop root privileges: setgroups: %s", strerror(errno));
        return false;
    }
    if (setresgid(gid, gid, gid) != 0) {
        snprintf(err, errlen, "cannot drop root privileges: setresgid(%u): %s", (unsigned)gid, strerror(errno));
        return false;
    }
    if (setresuid(uid, uid, uid) != 0) {
        snprintf(err, errlen, "cannot drop root privileges: setresuid(%u): %s", (unsigned)uid, strerror(errno));
        return false;
    }

    /* Check that none of it can be undone. */
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    if (getresuid(&ru, &eu, &su) != 0 || ru != uid || eu != uid || su != uid ||
        getresgid(&rg, &eg, &sg) != 0 || rg != gid || eg != gid || sg != gid) {
        snprintf(err, errlen, "cannot drop root privileges: the user or group ids did not all change");
        return false;
    }
    if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0 || setegid(0) == 0) {
        snprintf(err, errlen, "cannot drop root privileges: root could be regained");
        return false;
    }
    gid_t groups[4];
    int ng = getgroups(4, groups);
    if (ng < 0 || ng > 1 || (ng == 1 && groups[0] != gid)) {
        snprintf(err, errlen, "cannot drop root privileges: supplementary groups are left");
        return false;
    }
    /* Changing every uid away from 0 clears the capability sets; make sure. */
    if (privs_cap_effective() != 0 && !clear_caps(err, errlen))
        return false;
    return caps_all_clear(err, errlen);
}
