/* SPDX-License-Identifier: MIT */
/* The default sink of audit_log(): journald through libsystemd.  Kept in its
 * own object so a program can provide audit_journal_sendv() itself. */
#include "core/audit.h"

#include <sys/uio.h>
#include <systemd/sd-journal.h>

int audit_journal_sendv(const struct iovec *iov, int n) {
        return sd_journal_sendv(iov, n);
}
