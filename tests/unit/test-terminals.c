/* SPDX-License-Identifier: MIT */
/* terminals.c: which names and which nodes root may write a warning to.
 * A pty from openpty() stands for a user's terminal; files, links, fifos
 * and (as root) a character device that is no tty stand for what a user
 * might make logind or /dev point at. */
#include <check.h>
#include <fcntl.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "basic/util.h"
#include "system/terminals.h"

START_TEST(test_names) {
        static const char *const good[] = { "pts/0", "pts/17", "tty2", "ttyS0", "ttyUSB12", "tty63" };
        static const char *const bad[] = {
                "", "pts/", "pts", "tty", "ttyS", "pts/../tty1", "pts/1/x", "pts/1/", "pts//1", "../etc/passwd",
                "/dev/pts/1", "pts/1 ", " pts/1", "pts/-1", "pts/+1", "tty1a", "tty1/..", "console", "null",
                "pts/1234567890", "tty2\n", "PTS/1", "tty.1", "ttyS0/../../etc/shadow",
        };
        ck_assert(!terminal_name_valid(NULL));
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                ck_assert_msg(terminal_name_valid(good[i]), "%s", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(!terminal_name_valid(bad[i]), "'%s'", bad[i]);
}
END_TEST

START_TEST(test_message) {
        _cleanup_free_ char *m = terminal_message("berth: a\nb\x1b[2Jc\x07\x9b\tend");
        ck_assert_str_eq(m, "\a\r\nberth: a\r\nb?[2Jc???end\r\n");
        _cleanup_free_ char *e = terminal_message("");
        ck_assert_str_eq(e, "\a\r\n\r\n");
}
END_TEST

/* A pty of this process: master fd, slave's name under /dev ("pts/N"). */
static int pty(int *ret_master, int *ret_slave, char name[static 64]) {
        char path[64];
        if (openpty(ret_master, ret_slave, path, NULL, NULL) < 0)
                return -errno;
        ck_assert(strncmp(path, "/dev/", 5) == 0);
        snprintf(name, 64, "%s", path + 5);
        return 0;
}

static int dev_dir(void) {
        int d = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(d, 0);
        return d;
}

START_TEST(test_own_pty) {
        _cleanup_close_ int master = -1, slave = -1, dev = dev_dir(), fd = -1;
        char name[64], buf[64] = { 0 };
        ck_assert_int_eq(pty(&master, &slave, name), 0);
        ck_assert(terminal_name_valid(name));
        ck_assert_int_eq(terminal_open_at(dev, name, getuid(), &fd), 0);
        int fl = fcntl(fd, F_GETFL);
        ck_assert(fl & O_NONBLOCK);
        ck_assert_int_eq(fl & O_ACCMODE, O_WRONLY);
        ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        ck_assert_int_eq(write(fd, "hi!", 3), 3);
        ck_assert_int_eq(read(master, buf, sizeof(buf) - 1), 3);
        ck_assert_str_eq(buf, "hi!");
}
END_TEST

START_TEST(test_refused_nodes) {
        _cleanup_close_ int master = -1, slave = -1, dev = dev_dir(), fd = -1;
        char name[64], dir[] = "/tmp/berth-tty-XXXXXX", path[256];
        ck_assert_int_eq(pty(&master, &slave, name), 0);

        /* someone else's terminal */
        ck_assert_int_eq(terminal_open_at(dev, name, getuid() + 1, &fd), -EPERM);
        /* a name that is not a terminal's is not even looked up */
        ck_assert_int_eq(terminal_open_at(dev, "pts/../null", getuid(), &fd), -EINVAL);

        ck_assert_ptr_nonnull(mkdtemp(dir));
        _cleanup_close_ int d = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(d, 0);
        /* a file of the user's, with a terminal's name and mode */
        _cleanup_close_ int f = openat(d, "tty1", O_CREAT | O_WRONLY | O_CLOEXEC, 0620);
        ck_assert_int_ge(f, 0);
        ck_assert_int_eq(terminal_open_at(d, "tty1", getuid(), &fd), -EPERM);
        /* a link to the user's own terminal: never followed */
        snprintf(path, sizeof(path), "/dev/%s", name);
        ck_assert_int_eq(symlinkat(path, d, "tty2"), 0);
        ck_assert_int_eq(terminal_open_at(d, "tty2", getuid(), &fd), -EPERM);
        /* a fifo (opening it for writing would block without O_NONBLOCK) */
        ck_assert_int_eq(mkfifoat(d, "tty3", 0620), 0);
        ck_assert_int_eq(terminal_open_at(d, "tty3", getuid(), &fd), -EPERM);
        /* a character device that is no tty (root can make one: /dev/null's) */
        if (geteuid() == 0) {
                ck_assert_int_eq(mknodat(d, "tty4", S_IFCHR | 0600, makedev(1, 3)), 0);
                int r = terminal_open_at(d, "tty4", 0, &fd);
                /* opened and found no tty, or refused by a nodev /tmp */
                ck_assert_msg(r == -ENOTTY || r == -EACCES, "%d", r);
                unlinkat(d, "tty4", 0);
        }
        ck_assert_int_eq(fd, -1);
        unlinkat(d, "tty1", 0);
        unlinkat(d, "tty2", 0);
        unlinkat(d, "tty3", 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_full_terminal_never_blocks) {
        _cleanup_close_ int master = -1, slave = -1, dev = dev_dir(), fd = -1;
        char name[64], chunk[4096];
        ssize_t k = 0;
        int i;
        ck_assert_int_eq(pty(&master, &slave, name), 0);
        ck_assert_int_eq(terminal_open_at(dev, name, getuid(), &fd), 0);
        memset(chunk, 'x', sizeof(chunk));
        /* nobody reads the master: the buffer fills and the write says so */
        for (i = 0; i < 4096 && (k = write(fd, chunk, sizeof(chunk))) > 0; i++)
                ;
        ck_assert_int_lt(i, 4096);
        ck_assert_int_eq(k, -1);
        ck_assert_int_eq(errno, EAGAIN);
}
END_TEST

START_TEST(test_user_without_sessions) {
        unsigned reached = 99;
        struct berth_error err = { 0 };
        /* no logind session has this uid (nor, here, may logind run at all) */
        ck_assert_int_eq(terminals_notify_user(3999999999u, "berth: hello", &reached, &err), 0);
        ck_assert_uint_eq(reached, 0);
        ck_assert_int_lt(terminals_notify_user_name("berth-no-such-user-here", "x", &reached, &err), 0);
        ck_assert(strstr(err.message, "berth-no-such-user-here") != NULL);
}
END_TEST

Suite *terminals_suite(void) {
        Suite *s = suite_create("terminals");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_names);
        tcase_add_test(tc, test_message);
        tcase_add_test(tc, test_own_pty);
        tcase_add_test(tc, test_refused_nodes);
        tcase_add_test(tc, test_full_terminal_never_blocks);
        tcase_add_test(tc, test_user_without_sessions);
        suite_add_tcase(s, tc);
        return s;
}
