/* SPDX-License-Identifier: MIT */
/* Who wrote a journal entry, told from journald's trusted fields (DESIGN §5,
 * §7).  Anyone may send an entry with BERTH_EVENT= and berth's MESSAGE_IDs:
 * `logger`, `systemd-cat`, a program calling sd_journal_send(), dockerd's
 * journald log driver copying a container's environment.  What no sender
 * sets is what journald adds itself (_UID, _COMM, _EXE, _TRANSPORT), so
 * only those decide:
 *
 *   daemon  _UID=0, sent over the native protocol, by a process whose _EXE
 *           (or, when journald could not read it, _COMM) is one of berth's
 *           root daemons: berth-slicemgr, berth-gate;
 *   login   pam_berth's login.session and access.deny: _UID=0, the native
 *           protocol, SYSLOG_IDENTIFIER=pam_berth, and no mark of a
 *           container engine (pam_berth runs inside whichever root login
 *           process loads it, sshd, login, su…, so its _COMM names no berth
 *           program; dockerd, the one root process that writes what users
 *           give it, is told apart by its _COMM/_EXE and its CONTAINER_ID);
 *   client  everything else: the wrapper and the commands, which run as the
 *           user (or as root, and still decide nothing), and whatever a
 *           user wrote.  A client entry is a claim, never a decision. */
#pragma once

#include <stdbool.h>

enum cmd_origin {
        CMD_ORIGIN_DAEMON,
        CMD_ORIGIN_LOGIN,
        CMD_ORIGIN_CLIENT,
};

/* One entry's fields as journald stored them; NULL when absent. */
struct cmd_entry_source {
        const char *uid;        /* _UID */
        const char *comm;       /* _COMM */
        const char *exe;        /* _EXE */
        const char *transport;  /* _TRANSPORT */
        const char *identifier; /* SYSLOG_IDENTIFIER: the sender's word, trusted only beside _UID=0 */
        bool container;         /* a CONTAINER_ID field: dockerd's journald log driver wrote it */
};

/* The origin of an entry of berth's event ev (enum audit_event).  Pure. */
enum cmd_origin cmd_origin_of(const struct cmd_entry_source *s, int ev);
/* "daemon", "login", "client". */
const char *cmd_origin_name(enum cmd_origin o);
/* The program that wrote the entry, for people: _EXE's basename, else _COMM. */
const char *cmd_origin_program(const struct cmd_entry_source *s);
