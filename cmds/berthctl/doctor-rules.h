/* SPDX-License-Identifier: MIT */
/* The judgements of berthctl doctor that need no I/O: who may open a
 * socket, where pam_berth stands in a PAM stack, whether a file is berth's
 * own docker front, which unit states start a unit. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum doctor_status {
        DOCTOR_OK,
        DOCTOR_WARN,
        DOCTOR_FAIL,
};

enum doctor_pam {
        DOCTOR_PAM_ABSENT, /* no pam_berth session line */
        DOCTOR_PAM_BEFORE, /* pam_berth, and pam_systemd (if any) after it */
        DOCTOR_PAM_AFTER,  /* pam_berth after pam_systemd: the session is in its slice too late */
};

const char *doctor_status_name(enum doctor_status s);

/* Who may connect to a unix socket: whoever may write it.  group_open is
 * whether its group has a member who is no admin. */
enum doctor_status doctor_socket_verdict(uid_t owner, mode_t mode, bool group_open, const char **ret_why);

/* Where pam_berth stands in one PAM file's session stack. */
enum doctor_pam doctor_pam_order(const char *text);

/* systemctl is-enabled's answers that start the unit at boot or on demand. */
bool doctor_unit_enabled(const char *state);

/* berth's own front carries the name of the program it hands over to. */
bool doctor_is_front(const void *data, size_t n);
