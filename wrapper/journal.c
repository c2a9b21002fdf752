/* SPDX-License-Identifier: MIT */
/* The wrapper's audit sink.  Linking libsystemd would cost every docker
 * command, also `docker version`, a few milliseconds of loading; the few
 * commands that audit load it here, when they first need it. */
#include <dlfcn.h>
#include <sys/uio.h>

#include "core/audit.h"

typedef int (*sendv_t)(const struct iovec *iov, int n);

int audit_journal_sendv(const struct iovec *iov, int n) {
        static sendv_t sendv;
        if (!sendv) {
                void *h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
                if (!h)
                        return -ENOENT; /* no journal to write to: not the caller's failure */
                sendv = (sendv_t) dlsym(h, "sd_journal_sendv");
                if (!sendv)
                        return -ENOENT;
        }
        return sendv(iov, n);
}
