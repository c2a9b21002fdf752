/* SPDX-License-Identifier: MIT */
/* The commands' framework (cmds/common/cmd.h): verbs found by name and
 * alias, options and argument counts checked from the table, and usage
 * errors and a mistyped verb answered before any verb runs. */
#include <check.h>
#include <stdio.h>
#include <unistd.h>

#include "common/cmd.h"

/* argv as main() gets it; getopt here neither permutes nor writes it */
#define ARGV(...) ((char **) (const char *[]) { __VA_ARGS__, NULL })

static int runs;

static int run_counted(_unused_ struct cmd *c, _unused_ const struct cmd_args *a) {
        runs++;
        return 0;
}

static const struct option retire_options[] = {
        { "save", no_argument, NULL, 's' },
        { "image", required_argument, NULL, 'i' },
        {},
};
static const char *const list_aliases[] = { "ls", "ps", NULL };

static const struct cmd_verb verbs[] = {
        { "list", list_aliases, "list [--json]", "list them", 0, 0, CMD_VERB_JSON, NULL, NULL, run_counted },
        { "retire", NULL, "retire NAME [--save] [--image I]", "retire one", 1, 1, CMD_VERB_JSON, retire_options, "s",
          run_counted },
        { "deploy", NULL, "deploy [NAME] [-- CMD…]", "deploy one", 0, 1, CMD_VERB_COMMAND, NULL, NULL, run_counted },
        { "shell", NULL, "shell NAME [CMD…]", "a shell", 1, 1, CMD_VERB_STOP, NULL, NULL, run_counted },
};
/* no user: the tests must not depend on who runs them */
static const struct cmd_program program = { "testcmd", "testcmd(1)", verbs, ELEMENTSOF(verbs), false };

static int parse(const char *verb, struct cmd_args *a, char **argv) {
        int argc = 0;
        while (argv[argc])
                argc++;
        return cmd_parse(&program, cmd_verb_find(&program, verb), argc, argv, a);
}

/* cmd_main with stderr (or stdout) caught in *ret_text. */
static int main_caught(char **argv, bool out, char **ret_text) {
        int argc = 0, fd = out ? STDOUT_FILENO : STDERR_FILENO;
        while (argv[argc])
                argc++;
        FILE *tmp = tmpfile();
        ck_assert_ptr_nonnull(tmp);
        fflush(out ? stdout : stderr);
        int saved = dup(fd);
        dup2(fileno(tmp), fd);
        int rc = cmd_main(&program, argc, argv);
        fflush(out ? stdout : stderr);
        dup2(saved, fd);
        close(saved);
        long n = ftell(tmp);
        char *text = calloc(1, (size_t) (n > 0 ? n : 0) + 1);
        ck_assert_ptr_nonnull(text);
        rewind(tmp);
        if (n > 0)
                ck_assert_int_eq(fread(text, 1, (size_t) n, tmp), (size_t) n);
        fclose(tmp);
        *ret_text = text;
        return rc;
}

START_TEST(test_find_aliases) {
        ck_assert_ptr_eq(cmd_verb_find(&program, "list"), &verbs[0]);
        ck_assert_ptr_eq(cmd_verb_find(&program, "ls"), &verbs[0]);
        ck_assert_ptr_eq(cmd_verb_find(&program, "ps"), &verbs[0]);
        ck_assert_ptr_eq(cmd_verb_find(&program, "retire"), &verbs[1]);
        ck_assert_ptr_null(cmd_verb_find(&program, "lis"));
        ck_assert_ptr_null(cmd_verb_find(&program, ""));
}
END_TEST

START_TEST(test_counts) {
        struct cmd_args a = { 0 };
        ck_assert_int_eq(parse("list", &a, ARGV("list")), 0);
        ck_assert_uint_eq(a.n_args, 0);
        cmd_args_done(&a);
        ck_assert_int_eq(parse("list", &a, ARGV("ls", "extra")), CMD_EXIT_USAGE);
        ck_assert_int_eq(parse("retire", &a, ARGV("retire")), CMD_EXIT_USAGE);
        ck_assert_int_eq(parse("retire", &a, ARGV("retire", "a", "b")), CMD_EXIT_USAGE);
        ck_assert_int_eq(parse("retire", &a, ARGV("retire", "a")), 0);
        ck_assert_uint_eq(a.n_args, 1);
        ck_assert_str_eq(a.args[0], "a");
        ck_assert_ptr_null(a.args[1]);
        cmd_args_done(&a);
}
END_TEST

START_TEST(test_options) {
        struct cmd_args a = { 0 };
        /* options before and after the argument, long and short, in order */
        ck_assert_int_eq(parse("retire", &a, ARGV("retire", "--image", "x", "n", "-s", "--json")), 0);
        ck_assert_str_eq(a.args[0], "n");
        ck_assert_uint_eq(a.n_options, 2);
        ck_assert_int_eq(a.options[0].key, 'i');
        ck_assert_str_eq(a.options[0].value, "x");
        ck_assert_int_eq(a.options[1].key, 's');
        ck_assert(a.json);
        cmd_args_done(&a);
        ck_assert_int_eq(parse("retire", &a, ARGV("retire", "n", "--bogus")), CMD_EXIT_USAGE);
        ck_assert_int_eq(parse("retire", &a, ARGV("retire", "n", "-q")), CMD_EXIT_USAGE);
        ck_assert_int_eq(parse("retire", &a, ARGV("retire", "n", "--image")), CMD_EXIT_USAGE);
        /* --json only where the verb prints something */
        ck_assert_int_eq(parse("deploy", &a, ARGV("deploy", "--json")), CMD_EXIT_USAGE);
        /* --help wins over a missing argument */
        ck_assert_int_eq(parse("retire", &a, ARGV("retire", "--help")), 0);
        ck_assert(a.help);
        cmd_args_done(&a);
}
END_TEST

START_TEST(test_commands) {
        /* the argument vectors live as long as the test: a.command points into them */
        char **v1 = ARGV("deploy", "n", "--", "python", "-c", "1");
        char **v2 = ARGV("deploy", "n", "m");
        char **v3 = ARGV("shell", "n", "ls", "-l", "--help");
        char **v4 = ARGV("shell", "n");
        struct cmd_args a = { 0 };
        ck_assert_int_eq(parse("deploy", &a, v1), 0);
        ck_assert_str_eq(a.args[0], "n");
        ck_assert_ptr_nonnull(a.command);
        ck_assert_str_eq(a.command[0], "python");
        ck_assert_str_eq(a.command[1], "-c");
        ck_assert_ptr_null(a.command[3]);
        cmd_args_done(&a);
        ck_assert_int_eq(parse("deploy", &a, v2), CMD_EXIT_USAGE);
        /* shell: after NAME everything is the command, options included */
        ck_assert_int_eq(parse("shell", &a, v3), 0);
        ck_assert(!a.help);
        ck_assert_str_eq(a.args[0], "n");
        ck_assert_str_eq(a.command[2], "--help");
        cmd_args_done(&a);
        ck_assert_int_eq(parse("shell", &a, v4), 0);
        ck_assert_ptr_null(a.command);
        cmd_args_done(&a);
}
END_TEST

START_TEST(test_main_before_run) {
        _cleanup_free_ char *text = NULL, *text2 = NULL, *text3 = NULL, *text4 = NULL;
        runs = 0;
        /* a mistyped verb: a suggestion, exit 2, nothing run, no config read */
        ck_assert_int_eq(main_caught(ARGV("./testcmd", "--config", "/nonexistent", "lis"), false, &text),
                         CMD_EXIT_USAGE);
        ck_assert_str_eq(text, "testcmd: unknown verb 'lis'; did you mean 'list'? 'testcmd --help' lists them.\n");
        ck_assert_int_eq(main_caught(ARGV("./testcmd", "retire"), false, &text2), CMD_EXIT_USAGE);
        ck_assert_str_eq(text2, "testcmd: 'retire' needs more arguments; usage: testcmd retire NAME [--save] [--image I].\n");
        ck_assert_int_eq(main_caught(ARGV("./testcmd", "--version"), true, &text3), CMD_EXIT_OK);
        ck_assert_str_eq(text3, "testcmd (berth) " BERTH_VERSION "\n");
        ck_assert_int_eq(main_caught(ARGV("./testcmd", "zzzzzz"), false, &text4), CMD_EXIT_USAGE);
        ck_assert_str_eq(text4, "testcmd: unknown verb 'zzzzzz'; 'testcmd --help' lists them.\n");
        ck_assert_int_eq(runs, 0);
}
END_TEST

START_TEST(test_main_alias_suggested_as_verb) {
        _cleanup_free_ char *text = NULL;
        /* "pss" is closest to the alias "ps": the verb it stands for is named */
        ck_assert_int_eq(main_caught(ARGV("testcmd", "pss"), false, &text), CMD_EXIT_USAGE);
        ck_assert_str_eq(text, "testcmd: unknown verb 'pss'; did you mean 'list'? 'testcmd --help' lists them.\n");
}
END_TEST

Suite *cmds_framework_suite(void) {
        Suite *s = suite_create("cmds-framework");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_find_aliases);
        tcase_add_test(tc, test_counts);
        tcase_add_test(tc, test_options);
        tcase_add_test(tc, test_commands);
        tcase_add_test(tc, test_main_before_run);
        tcase_add_test(tc, test_main_alias_suggested_as_verb);
        suite_add_tcase(s, tc);
        return s;
}
