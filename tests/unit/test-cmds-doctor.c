/* SPDX-License-Identifier: MIT */
/* berthctl doctor's judgements, without a system to look at: who a socket's
 * owner, group and mode let in, where pam_berth stands in a session stack,
 * berth's own front told from Docker's CLI.  The checks' functions are
 * static, so the file itself is included. */
#include <check.h>
#include <sys/stat.h>

#include "berthctl/doctor-rules.h"

START_TEST(test_socket_verdict) {
        const char *why = NULL;
        /* Docker's own default with a docker group of users in it */
        ck_assert_int_eq(doctor_socket_verdict(0, S_IFSOCK | 0660, true, &why), DOCTOR_FAIL);
        ck_assert_str_eq(why, "its group has members who are not admins");
        /* root:root 0660, or a group of admins only */
        ck_assert_int_eq(doctor_socket_verdict(0, S_IFSOCK | 0660, false, &why), DOCTOR_OK);
        ck_assert_int_eq(doctor_socket_verdict(0, S_IFSOCK | 0600, true, &why), DOCTOR_OK);
        /* group may read but not write: connect needs write */
        ck_assert_int_eq(doctor_socket_verdict(0, S_IFSOCK | 0640, true, &why), DOCTOR_OK);
        /* chmod 666 */
        ck_assert_int_eq(doctor_socket_verdict(0, S_IFSOCK | 0666, false, &why), DOCTOR_FAIL);
        ck_assert_str_eq(why, "every user may open it (o+w)");
        ck_assert_int_eq(doctor_socket_verdict(0, S_IFSOCK | 0602, false, &why), DOCTOR_FAIL);
        /* a user's socket */
        ck_assert_int_eq(doctor_socket_verdict(1000, S_IFSOCK | 0600, false, &why), DOCTOR_FAIL);
        ck_assert_str_eq(why, "its owner is not root");
}
END_TEST

START_TEST(test_pam_order) {
        ck_assert_int_eq(doctor_pam_order(""), DOCTOR_PAM_ABSENT);
        ck_assert_int_eq(doctor_pam_order("session required pam_unix.so\nsession optional pam_systemd.so\n"),
                         DOCTOR_PAM_ABSENT);
        ck_assert_int_eq(doctor_pam_order("session required pam_unix.so\n"
                                          "session optional pam_berth.so\n"
                                          "session optional pam_systemd.so\n"),
                         DOCTOR_PAM_BEFORE);
        ck_assert_int_eq(doctor_pam_order("session optional pam_systemd.so\nsession optional pam_berth.so\n"),
                         DOCTOR_PAM_AFTER);
        /* without pam_systemd, pam_berth is still first */
        ck_assert_int_eq(doctor_pam_order("session optional pam_berth.so"), DOCTOR_PAM_BEFORE);
        /* "-session", bracket controls, full paths, arguments, leading space */
        ck_assert_int_eq(doctor_pam_order("-session [success=ok default=ignore] /lib/security/pam_berth.so debug\n"
                                          "\tsession\toptional\tpam_systemd.so\n"),
                         DOCTOR_PAM_BEFORE);
        ck_assert_int_eq(doctor_pam_order("session [default=1] pam_permit.so\n-session optional pam_systemd.so\n"
                                          "  session required /usr/lib/x86_64-linux-gnu/security/pam_berth.so\n"),
                         DOCTOR_PAM_AFTER);
        /* comments, other types and look-alike names do not count */
        ck_assert_int_eq(doctor_pam_order("# session optional pam_systemd.so\n"
                                          "account optional pam_systemd.so\n"
                                          "session optional pam_systemd.so.bak\n"
                                          "sessions optional pam_systemd.so\n"
                                          "session optional pam_berth.so\n"),
                         DOCTOR_PAM_BEFORE);
        ck_assert_int_eq(doctor_pam_order("session optional pam_berth.so.old\n"), DOCTOR_PAM_ABSENT);
        ck_assert_int_eq(doctor_pam_order("session optional\n"), DOCTOR_PAM_ABSENT);
}
END_TEST

START_TEST(test_front_and_units) {
        static const char front[] = "\x7f" "ELF....../usr/libexec/berth/berth-docker-policy\0...";
        static const char cli[] = "\x7f" "ELF....docker CLI....berth-docker";
        ck_assert(doctor_is_front(front, sizeof(front)));
        ck_assert(!doctor_is_front(cli, sizeof(cli)));
        ck_assert(!doctor_is_front("", 0));
        ck_assert(doctor_unit_enabled("enabled"));
        ck_assert(doctor_unit_enabled("static"));
        ck_assert(doctor_unit_enabled("transient"));
        ck_assert(!doctor_unit_enabled("disabled"));
        ck_assert(!doctor_unit_enabled("masked"));
        ck_assert(!doctor_unit_enabled(""));
        ck_assert_str_eq(doctor_status_name(DOCTOR_WARN), "WARN");
}
END_TEST

Suite *cmds_doctor_suite(void) {
        Suite *s = suite_create("cmds-doctor");
        TCase *tc = tcase_create("judgements");
        tcase_add_test(tc, test_socket_verdict);
        tcase_add_test(tc, test_pam_order);
        tcase_add_test(tc, test_front_and_units);
        suite_add_tcase(s, tc);
        return s;
}
