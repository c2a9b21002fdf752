/* SPDX-License-Identifier: MIT */
#include "system/seal-key.h"

#include <fcntl.h>
#include <libgen.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

int seal_key_load(const char *path, uint8_t ret[static SEAL_KEY_SIZE], struct berth_error *err) {
        uint8_t key[SEAL_KEY_SIZE + 1];
        struct stat st;

        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return berth_error_set(err, -errno, "cannot open the seal key %s: %s", path, strerror(errno));
        if (fstat(fd, &st) < 0)
                return berth_error_set(err, -errno, "cannot stat the seal key %s: %s", path, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return berth_error_set(err, -EPERM, "the seal key %s is not a regular file", path);
        if (st.st_uid != 0 || (st.st_mode & 077))
                return berth_error_set(err, -EPERM, "the seal key %s must be owned by root with mode 0600 (it is %o, uid %u)",
                                       path, (unsigned) (st.st_mode & 07777), (unsigned) st.st_uid);
        ssize_t n = read(fd, key, sizeof(key));
        if (n < 0)
                return berth_error_set(err, -errno, "cannot read the seal key %s: %s", path, strerror(errno));
        if ((size_t) n != SEAL_KEY_SIZE) {
                OPENSSL_cleanse(key, sizeof(key));
                return berth_error_set(err, -EBADMSG, "the seal key %s is %zd bytes, not %d", path, n, SEAL_KEY_SIZE);
        }
        memcpy(ret, key, SEAL_KEY_SIZE);
        OPENSSL_cleanse(key, sizeof(key));
        return 0;
}

int seal_key_create(const char *path, struct berth_error *err) {
        uint8_t key[SEAL_KEY_SIZE];
        _cleanup_free_ char *dir = strdup(path);

        if (!dir)
                return berth_error_set(err, -ENOMEM, "out of memory");
        if (mkdir(dirname(dir), 0700) < 0 && errno != EEXIST)
                return berth_error_set(err, -errno, "cannot make the directory of the seal key %s: %s", path,
                                       strerror(errno));
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
                if (errno == EEXIST)
                        return 0;
                return berth_error_set(err, -errno, "cannot create the seal key %s: %s", path, strerror(errno));
        }
        if (getrandom(key, sizeof(key), 0) != (ssize_t) sizeof(key) || write(fd, key, sizeof(key)) != (ssize_t) sizeof(key) ||
            fsync(fd) < 0) {
                int r = -errno;
                OPENSSL_cleanse(key, sizeof(key));
                (void) unlink(path);
                return berth_error_set(err, r ? r : -EIO, "cannot write the seal key %s", path);
        }
        OPENSSL_cleanse(key, sizeof(key));
        return 1;
}
