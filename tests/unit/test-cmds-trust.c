/* SPDX-License-Identifier: MIT */
/* What the commands trust (DESIGN §5, §7): a journal entry is a daemon's
 * decision only by journald's own fields, never by what its sender wrote;
 * a config tree holds policy only when root owns it and only root may
 * write it. */
#include <check.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cmd.h"
#include "common/journal-origin.h"
#include "core/audit.h"

/* the slicemgr as the sandbox and an install run it */
static const struct cmd_entry_source slicemgr = {
        .uid = "0", .comm = "berth-slicemgr", .exe = "/usr/sbin/berth-slicemgr", .transport = "journal",
        .identifier = "berth-slicemgr",
};

START_TEST(test_daemons) {
        ck_assert_int_eq(cmd_origin_of(&slicemgr, AUDIT_GPU_RESERVE), CMD_ORIGIN_DAEMON);
        struct cmd_entry_source s = slicemgr;
        s.exe = "/work/build/berth-gate";
        s.comm = "berth-gate";
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_CONTAINER_DENY), CMD_ORIGIN_DAEMON);
        /* journald could not read /proc/PID/exe: _COMM is what is left */
        s = slicemgr;
        s.exe = NULL;
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_GPU_BIND), CMD_ORIGIN_DAEMON);
        ck_assert_str_eq(cmd_origin_program(&slicemgr), "berth-slicemgr");
        ck_assert_str_eq(cmd_origin_program(&s), "berth-slicemgr");
        ck_assert_str_eq(cmd_origin_name(CMD_ORIGIN_DAEMON), "daemon");
}
END_TEST

START_TEST(test_forgeries) {
        struct cmd_entry_source s = slicemgr;
        /* a user's program named like the daemon, or claiming its identifier */
        s.uid = "1000";
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_GPU_RESERVE), CMD_ORIGIN_CLIENT);
        s.uid = "00";
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_GPU_RESERVE), CMD_ORIGIN_CLIENT);
        s.uid = NULL;
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_GPU_RESERVE), CMD_ORIGIN_CLIENT);
        /* logger and systemd-cat as root: the identifier is the sender's word */
        s = (struct cmd_entry_source) { .uid = "0", .comm = "logger", .exe = "/usr/bin/logger",
                                        .transport = "syslog", .identifier = "berth-slicemgr" };
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_GPU_RESERVE), CMD_ORIGIN_CLIENT);
        s = (struct cmd_entry_source) { .uid = "0", .comm = "cat", .exe = "/usr/bin/cat", .transport = "stdout",
                                        .identifier = "pam_berth" };
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_LOGIN_SESSION), CMD_ORIGIN_CLIENT);
        /* the daemon's own stderr carries no fields of its own */
        s = slicemgr;
        s.transport = "stdout";
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_GPU_RESERVE), CMD_ORIGIN_CLIENT);
        /* an executable named otherwise wins over a _COMM set with prctl */
        s = slicemgr;
        s.exe = "/home/mallory/a.out";
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_GPU_RESERVE), CMD_ORIGIN_CLIENT);
        /* dockerd's journald log driver, tag pam_berth, env copied as fields */
        s = (struct cmd_entry_source) { .uid = "0", .comm = "dockerd", .exe = "/usr/bin/dockerd",
                                        .transport = "journal", .identifier = "pam_berth", .container = true };
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_LOGIN_SESSION), CMD_ORIGIN_CLIENT);
        s.container = false;
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_LOGIN_SESSION), CMD_ORIGIN_CLIENT);
        /* the wrapper and the commands, as the user or as root, are clients */
        s = (struct cmd_entry_source) { .uid = "0", .comm = "container", .exe = "/usr/bin/container",
                                        .transport = "journal", .identifier = "container" };
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_CONTAINER_RETIRE), CMD_ORIGIN_CLIENT);
        ck_assert_str_eq(cmd_origin_name(CMD_ORIGIN_CLIENT), "client");
}
END_TEST

START_TEST(test_login) {
        struct cmd_entry_source s = { .uid = "0", .comm = "sshd", .exe = "/usr/sbin/sshd", .transport = "journal",
                                      .identifier = "pam_berth" };
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_LOGIN_SESSION), CMD_ORIGIN_LOGIN);
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_ACCESS_DENY), CMD_ORIGIN_LOGIN);
        /* pam_berth writes nothing else */
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_GPU_RESERVE), CMD_ORIGIN_CLIENT);
        /* su run by the user is setuid root: _UID is its euid, 0, and that is pam_berth's */
        s.comm = "su";
        s.exe = "/usr/bin/su";
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_LOGIN_SESSION), CMD_ORIGIN_LOGIN);
        s.uid = "1000";
        ck_assert_int_eq(cmd_origin_of(&s, AUDIT_LOGIN_SESSION), CMD_ORIGIN_CLIENT);
        ck_assert_str_eq(cmd_origin_name(CMD_ORIGIN_LOGIN), "login");
}
END_TEST

START_TEST(test_config_dir_trusted) {
        char dir[] = "/tmp/berth-trust-XXXXXX";
        ck_assert_ptr_nonnull(mkdtemp(dir));
        ck_assert(chmod(dir, 0755) == 0);
        /* root's only when root made it */
        ck_assert(config_dir_trusted(dir) == (geteuid() == 0));
        ck_assert(chmod(dir, 0775) == 0);
        ck_assert(!config_dir_trusted(dir));
        ck_assert(chmod(dir, 0757) == 0);
        ck_assert(!config_dir_trusted(dir));
        ck_assert(rmdir(dir) == 0);
        ck_assert(!config_dir_trusted(dir));
        ck_assert(!config_dir_trusted(NULL));
        ck_assert(!config_dir_trusted("/etc/passwd")); /* no directory */
        ck_assert(config_dir_trusted("/"));
}
END_TEST

Suite *cmds_trust_suite(void) {
        Suite *s = suite_create("cmds-trust");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_daemons);
        tcase_add_test(tc, test_forgeries);
        tcase_add_test(tc, test_login);
        tcase_add_test(tc, test_config_dir_trusted);
        suite_add_tcase(s, tc);
        return s;
}
