/* SPDX-License-Identifier: MIT */
/* What [daemon] real_docker names: Docker's CLI, or why it cannot be.  One
 * look for doctor's row and check-config's warning. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berthctl.h"
#include "doctor-rules.h"

enum real_docker_state real_docker_inspect(const char *path, int *ret_errno) {
        *ret_errno = 0;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) {
                *ret_errno = errno;
                return REAL_DOCKER_MISSING;
        }
        if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0)
                return REAL_DOCKER_NOT_PROGRAM;
        bool front = false;
        if (st.st_size > 0) {
                void *m = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
                if (m != MAP_FAILED) {
                        front = doctor_is_front(m, (size_t) st.st_size);
                        munmap(m, (size_t) st.st_size);
                }
        }
        return front ? REAL_DOCKER_FRONT : REAL_DOCKER_OK;
}
