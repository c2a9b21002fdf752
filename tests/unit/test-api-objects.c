/* SPDX-License-Identifier: MIT */
/* Volumes and networks: the rules the wrapper and the gate share
 * (lib/policy/objects.c), then the gate's reading of the Engine API's
 * volume and network bodies (lib/policy/api-objects.c): what the docker
 * CLI sends is taken and judged as the same argv would be; keys Docker
 * would take but berth does not know, duplicates, wrong types and bodies
 * that are not one object are refused; the bodies forwarded carry the
 * owner's label and the container's full id.  Bodies are written with '
 * for ". */
#include <check.h>
#include <stdbool.h>

#include "basic/util.h"
#include "policy/api-objects.h"
#include "policy/api-spec.h"
#include "policy/objects.h"

/* A string literal where the spec, as the parsers fill it, holds char *. */
#define W(s) ((char *) (s))

static json_t *answer(const char *text) {
        json_error_t e;
        json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);
        ck_assert_msg(j, "%s: %s", text, e.text);
        return j;
}

static char *body_of(const char *text) {
        char *b = strdup(text);
        ck_assert_ptr_nonnull(b);
        for (char *p = b; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return b;
}

/* A verdict: allowed, or refused by rule with one sentence holding needle
 * and a hint. */
static void expect_verdict_at(const char *file, int line, int r, const struct policy_verdict *v, const char *rule,
                              const char *needle) {
        ck_assert_msg(r == 0, "%s:%d: returned %d", file, line, r);
        if (!rule) {
                ck_assert_msg(v->allowed, "%s:%d: refused: %s", file, line, v->reason);
                return;
        }
        size_t n = strlen(v->reason);
        ck_assert_msg(!v->allowed, "%s:%d: allowed, expected rule %s", file, line, rule);
        ck_assert_msg(streq_ptr(v->rule, rule), "%s:%d: rule %s, expected %s (%s)", file, line, strempty(v->rule), rule,
                      v->reason);
        ck_assert_msg(strncmp(v->reason, "berth: ", 7) == 0 && n > 8 && v->reason[n - 1] == '.', "%s:%d: '%s'", file, line,
                      v->reason);
        ck_assert_msg(!needle || strstr(v->reason, needle), "%s:%d: '%s' lacks '%s'", file, line, v->reason, needle);
        ck_assert_msg(v->hint[0], "%s:%d: no hint", file, line);
        for (const char *p = v->reason; *p; p++)
                ck_assert_msg((unsigned char) *p >= 0x20 && *p != 0x7f, "%s:%d: a control byte in '%s'", file, line, v->reason);
}
#define expect_verdict(r, v, rule, needle) expect_verdict_at(__FILE__, __LINE__, r, v, rule, needle)

/* ---- the rules ------------------------------------------------------------ */

START_TEST(test_volume_create_rules) {
        struct policy_verdict v;
        char *opts[] = { W("type=none"), W("o=bind"), W("device=/etc"), NULL };
        char *fine[] = { W("team=ml"), W("berth.project=thesis"), NULL };
        char *theirs[] = { W("a=b"), W("berth.user=bob"), NULL };
        char *cased[] = { W("Berth.User=alice"), NULL };
        char *spaced[] = { W(" berth.gpus=GPU-1"), NULL };
        char *bare[] = { W("berth.managed"), NULL };

        expect_verdict(policy_check_volume_create(&(struct object_spec) { 0 }, &v), &v, NULL, NULL);
        expect_verdict(policy_check_volume_create(&(struct object_spec) { .name = W("v"), .driver = W("local"), .labels = fine }, &v),
                       &v, NULL, NULL);
        expect_verdict(policy_check_volume_create(&(struct object_spec) { .driver = W("") }, &v), &v, NULL, NULL);
        expect_verdict(policy_check_volume_create(&(struct object_spec) { .opts = opts }, &v), &v, "volume-opt", "(-o type=none)");
        expect_verdict(policy_check_volume_create(&(struct object_spec) { .driver = W("nfs") }, &v), &v, "volume-driver", "nfs");
        expect_verdict(policy_check_volume_create(&(struct object_spec) { .cluster = true }, &v), &v, "cluster-volume", NULL);
        expect_verdict(policy_check_volume_create(&(struct object_spec) { .labels = theirs }, &v), &v, "label", "berth.user=bob");
        expect_verdict(policy_check_volume_create(&(struct object_spec) { .labels = cased }, &v), &v, "label", "Berth.User");
        expect_verdict(policy_check_volume_create(&(struct object_spec) { .labels = spaced }, &v), &v, "label", NULL);
        expect_verdict(policy_check_volume_create(&(struct object_spec) { .labels = bare }, &v), &v, "label", NULL);
        /* options come first, as they say the most */
        expect_verdict(policy_check_volume_create(&(struct object_spec) { .opts = opts, .driver = W("nfs"), .labels = theirs }, &v),
                       &v, "volume-opt", NULL);
        ck_assert_int_eq(policy_check_volume_create(NULL, &v), -EINVAL);
}
END_TEST

START_TEST(test_network_create_rules) {
        struct policy_verdict v;
        char *opts[] = { W("com.docker.network.bridge.name=docker0"), NULL };
        char *labels[] = { W("berth.reservation=r1"), NULL };

        expect_verdict(policy_check_network_create(&(struct object_spec) { .name = W("n") }, &v), &v, NULL, NULL);
        expect_verdict(policy_check_network_create(&(struct object_spec) { .driver = W("bridge"), .ipam_driver = W("default") }, &v), &v,
                       NULL, NULL);
        static const char *const drivers[] = { "host", "macvlan", "ipvlan", "overlay", "null", "Bridge" };
        for (size_t i = 0; i < ELEMENTSOF(drivers); i++)
                expect_verdict(policy_check_network_create(&(struct object_spec) { .driver = (char *) drivers[i] }, &v), &v,
                               "network-driver", drivers[i]);
        expect_verdict(policy_check_network_create(&(struct object_spec) { .opts = opts }, &v), &v, "network-opt", "docker0");
        expect_verdict(policy_check_network_create(&(struct object_spec) { .ipam_driver = W("dhcp") }, &v), &v, "ipam-driver", "dhcp");
        expect_verdict(policy_check_network_create(&(struct object_spec) { .config_from = true }, &v), &v, "network-admin",
                       "--config-from");
        expect_verdict(policy_check_network_create(&(struct object_spec) { .config_only = true }, &v), &v, "network-admin",
                       "--config-only");
        expect_verdict(policy_check_network_create(&(struct object_spec) { .ingress = true }, &v), &v, "network-admin", "--ingress");
        expect_verdict(policy_check_network_create(&(struct object_spec) { .labels = labels }, &v), &v, "label",
                       "berth.reservation=r1");
        ck_assert_int_eq(policy_check_network_create(NULL, &v), -EINVAL);
}
END_TEST

/* A create's name: free, or the caller's own; another user's, a shared
 * one or one with white space at an end is refused. */
START_TEST(test_object_name) {
        static const struct {
                const char *answer, *name, *needle;
        } cases[] = {
                { "{'exists':false}", "v", NULL },
                { "{'exists':true,'user':'alice','mine':true}", "v", NULL },
                { "{'exists':true,'user':'bob'}", "v", "the volume v exists and belongs to bob." },
                { "{'exists':true}", "v", "the volume v exists and is shared" },
                { "{'exists':false}", " v", "white space at an end" },
                { "{'exists':false}", "v\t", "white space at an end" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = body_of(cases[i].answer);
                _cleanup_json_ json_t *o = answer(text);
                struct policy_verdict v;
                int r = policy_check_object_name("volume", o, cases[i].name, "alice", &v);
                expect_verdict(r, &v, cases[i].needle ? "name" : NULL, cases[i].needle);
        }
        struct policy_verdict v;
        _cleanup_json_ json_t *bob = answer("{\"exists\":true,\"user\":\"bob\"}");
        expect_verdict(policy_check_object_name("network", bob, "n", "alice", &v), &v, "name", "the network n exists");
        expect_verdict(policy_check_object_name("network", bob, NULL, "alice", &v), &v, NULL, NULL);
        expect_verdict(policy_check_object_name("network", NULL, "n", "alice", &v), &v, NULL, NULL);
        /* what the user typed stays on one line */
        expect_verdict(policy_check_object_name("network", bob, "a\nb", "alice", &v), &v, "name", "a?b");
}
END_TEST

/* inspect: own and shared volumes; rm: own only. */
START_TEST(test_volume_target) {
        static const struct {
                const char *answer;
                bool remove;
                const char *needle;
        } cases[] = {
                { "{'exists':false}", true, NULL },
                { "{'exists':true,'user':'alice'}", false, NULL },
                { "{'exists':true,'user':'alice'}", true, NULL },
                { "{'exists':true,'user':'bob'}", false, "the volume v belongs to bob; you may only 'inspect' your own" },
                { "{'exists':true,'user':'bob'}", true, "the volume v belongs to bob; you may only 'rm' your own" },
                { "{'exists':true}", false, NULL },
                { "{'exists':true}", true, "is shared; you may mount and inspect it, but only an admin may remove it." },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = body_of(cases[i].answer);
                _cleanup_json_ json_t *o = answer(text);
                struct policy_verdict v;
                int r = policy_check_volume_target(o, "v", "alice", cases[i].remove ? "rm" : "inspect", cases[i].remove, &v);
                expect_verdict(r, &v, cases[i].needle ? "volume-owner" : NULL, cases[i].needle);
                ck_assert(!cases[i].needle || strstr(v.hint, "docker volume ls"));
        }
        struct policy_verdict v;
        _cleanup_json_ json_t *none = answer("{\"exists\":false}");
        expect_verdict(policy_check_volume_target(none, "v ", "alice", "inspect", false, &v), &v, "volume-owner", "white space");
}
END_TEST

/* networks: owner_network_refused()'s rule, with the hint the wrapper gives. */
START_TEST(test_network_target) {
        struct policy_verdict v;
        _cleanup_json_ json_t *bob = answer("{\"exists\":true,\"user\":\"bob\",\"id\":\"abc\"}");
        _cleanup_json_ json_t *builtin = answer("{\"exists\":true,\"builtin\":true,\"name\":\"bridge\"}");
        _cleanup_json_ json_t *shared = answer("{\"exists\":true}");
        expect_verdict(policy_check_network_target(bob, "n", "alice", "network connect", false, &v), &v, "network-owner",
                       "belongs to bob; you may only 'network connect' your own networks");
        ck_assert(strstr(v.hint, "docker network ls"));
        expect_verdict(policy_check_network_target(builtin, "bridge", "alice", "network connect", false, &v), &v, NULL, NULL);
        expect_verdict(policy_check_network_target(builtin, "bridge", "alice", "rm", true, &v), &v, "network-owner",
                       "Docker's own networks");
        expect_verdict(policy_check_network_target(shared, "n", "alice", "inspect", false, &v), &v, NULL, NULL);
        expect_verdict(policy_check_network_target(shared, "n", "alice", "rm", true, &v), &v, "network-owner", "is shared");
}
END_TEST

/* ---- the API's bodies --------------------------------------------------- */

static int volume_parse(const char *text, struct object_spec *s, json_t **doc, struct berth_error *err) {
        _cleanup_free_ char *b = body_of(text);
        *err = (struct berth_error) { 0 };
        return api_volume_create_parse(b, strlen(b), s, doc, err);
}

static int network_parse(const char *text, struct object_spec *s, json_t **doc, struct berth_error *err) {
        _cleanup_free_ char *b = body_of(text);
        *err = (struct berth_error) { 0 };
        return api_network_create_parse(b, strlen(b), s, doc, err);
}

static int attach_parse(const char *text, bool connect, char **container, json_t **doc, struct berth_error *err) {
        _cleanup_free_ char *b = body_of(text);
        *err = (struct berth_error) { 0 };
        return api_network_attach_parse(b, strlen(b), connect, container, doc, err);
}

static void expect_refused_at(const char *file, int line, int r, const struct berth_error *err, int code,
                              const char *needle) {
        size_t n = strlen(err->message);
        ck_assert_msg(r == code, "%s:%d: expected %d, got %d (%s)", file, line, code, r, err->message);
        ck_assert_msg(strncmp(err->message, "berth: ", 7) == 0 && n > 8 && err->message[n - 1] == '.', "%s:%d: '%s'", file,
                      line, err->message);
        ck_assert_msg(!strchr(err->message, '\n'), "%s:%d: '%s' is more than one line", file, line, err->message);
        ck_assert_msg(!needle || strstr(err->message, needle), "%s:%d: '%s' lacks '%s'", file, line, err->message, needle);
}
#define expect_refused(r, err, code, needle) expect_refused_at(__FILE__, __LINE__, r, err, code, needle)

/* What Debian's docker 20.10 and docker 27 send for docker volume create
 * --label team=ml -o device=/etc v. */
START_TEST(test_volume_body) {
        _cleanup_(object_spec_done) struct object_spec s = { 0 };
        _cleanup_json_ json_t *doc = NULL;
        struct berth_error err;
        ck_assert_int_eq(volume_parse("{'Driver':'local','DriverOpts':{'device':'/etc'},'Labels':{'team':'ml'},'Name':'v'}", &s,
                                      &doc, &err),
                         0);
        ck_assert_str_eq(s.name, "v");
        ck_assert_str_eq(s.driver, "local");
        ck_assert_int_eq(strv_length(s.opts), 1);
        ck_assert_str_eq(s.opts[0], "device=/etc");
        ck_assert_int_eq(strv_length(s.labels), 1);
        ck_assert_str_eq(s.labels[0], "team=ml");
        ck_assert(!s.cluster);
        ck_assert_ptr_nonnull(doc);
        struct policy_verdict v;
        expect_verdict(policy_check_volume_create(&s, &v), &v, "volume-opt", "device=/etc");
        object_spec_done(&s);

        /* null is absent; an empty body makes a volume Docker names */
        ck_assert_int_eq(volume_parse("{'Name':null,'Driver':null,'DriverOpts':null,'Labels':null,'ClusterVolumeSpec':null}", &s,
                                      NULL, &err),
                         0);
        ck_assert(!s.name && !s.driver && !s.opts && !s.labels && !s.cluster);
        object_spec_done(&s);
        ck_assert_int_eq(volume_parse("{}", &s, NULL, &err), 0);
        object_spec_done(&s);
        ck_assert_int_eq(volume_parse("{'Name':'v','ClusterVolumeSpec':{}}", &s, NULL, &err), 0);
        ck_assert(s.cluster);
        expect_verdict(policy_check_volume_create(&s, &v), &v, "cluster-volume", NULL);
}
END_TEST

START_TEST(test_volume_body_refused) {
        struct object_spec s = { 0 };
        json_t *doc = NULL;
        struct berth_error err;
        int r;
        r = volume_parse("{'name':'v'}", &s, &doc, &err);
        expect_refused(r, &err, -EPERM, "\"name\" at the top level must be written \"Name\"");
        r = volume_parse("{'Name':'v','Labels':{},'labels':{'berth.user':'bob'}}", &s, &doc, &err);
        expect_refused(r, &err, -EPERM, "must be written \"Labels\"");
        r = volume_parse("{'Name':'v','Name':'w'}", &s, &doc, &err);
        expect_refused(r, &err, -EPERM, "twice");
        r = volume_parse("{'Name':'v','Labels':{'a':'1','a':'2'}}", &s, &doc, &err);
        expect_refused(r, &err, -EPERM, "twice");
        r = volume_parse("{'Name':'v','Mountpoint':'/etc'}", &s, &doc, &err);
        expect_refused(r, &err, -EPERM, "\"Mountpoint\" at the top level is not one berth knows");
        r = volume_parse("{'Name':1}", &s, &doc, &err);
        expect_refused(r, &err, -EINVAL, "Name must be a string");
        r = volume_parse("{'Labels':{'a':1}}", &s, &doc, &err);
        expect_refused(r, &err, -EINVAL, "Labels must be an object whose values are strings");
        r = volume_parse("{'DriverOpts':['device=/etc']}", &s, &doc, &err);
        expect_refused(r, &err, -EINVAL, "DriverOpts must be");
        r = volume_parse("['Name']", &s, &doc, &err);
        expect_refused(r, &err, -EINVAL, "one JSON object");
        r = volume_parse("{'Name':", &s, &doc, &err);
        expect_refused(r, &err, -EINVAL, "not valid JSON");
        r = volume_parse("", &s, &doc, &err);
        expect_refused(r, &err, -EINVAL, "no body");
        /* a key that is no name: shown without its control bytes */
        r = volume_parse("{'a\\nb\\t':1}", &s, &doc, &err);
        expect_refused(r, &err, -EPERM, "\"a?b?\"");
        static const char nul[] = "{\"Name\":\"v\"}\0";
        err = (struct berth_error) { 0 };
        expect_refused(api_volume_create_parse(nul, sizeof(nul) - 1, &s, &doc, &err), &err, -EINVAL, "NUL");
        _cleanup_free_ char *big = malloc(API_BODY_MAX + 2);
        ck_assert_ptr_nonnull(big);
        memset(big, ' ', API_BODY_MAX + 1);
        big[0] = '{';
        big[API_BODY_MAX] = '}';
        err = (struct berth_error) { 0 };
        expect_refused(api_volume_create_parse(big, API_BODY_MAX + 1, &s, &doc, &err), &err, -E2BIG, NULL);
        ck_assert(!s.name && !s.labels && !doc); /* untouched */
}
END_TEST

/* What Debian's docker 20.10 sends for docker network create n. */
START_TEST(test_network_body) {
        _cleanup_(object_spec_done) struct object_spec s = { 0 };
        struct berth_error err;
        struct policy_verdict v;
        ck_assert_int_eq(network_parse("{'Name':'n','CheckDuplicate':true,'Driver':'bridge','Scope':'','EnableIPv6':false,"
                                       "'IPAM':{'Driver':'default','Options':{},'Config':[]},'Internal':false,'Attachable':false,"
                                       "'Ingress':false,'ConfigOnly':false,'ConfigFrom':null,'Options':{},'Labels':{}}",
                                       &s, NULL, &err),
                         0);
        ck_assert_str_eq(s.name, "n");
        ck_assert_str_eq(s.driver, "bridge");
        ck_assert_str_eq(s.ipam_driver, "default");
        ck_assert(!s.opts && !s.labels && !s.config_from && !s.config_only && !s.ingress);
        expect_verdict(policy_check_network_create(&s, &v), &v, NULL, NULL);
        object_spec_done(&s);

        ck_assert_int_eq(network_parse("{'Name':'n','IPAM':{'Config':[{'Subnet':'10.9.0.0/24','IPRange':'10.9.0.0/25',"
                                       "'Gateway':'10.9.0.1','AuxiliaryAddresses':{'a':'10.9.0.2'}}]},'Labels':{'x':'y'}}",
                                       &s, NULL, &err),
                         0);
        ck_assert(!s.ipam_driver && strv_length(s.labels) == 1);
        object_spec_done(&s);

        static const struct {
                const char *body, *rule, *needle;
        } judged[] = {
                { "{'Name':'n','Driver':'macvlan','Options':{'parent':'eth0'}}", "network-opt", "parent=eth0" },
                { "{'Name':'n','Driver':'host'}", "network-driver", "host" },
                { "{'Name':'n','Driver':'ipvlan'}", "network-driver", "ipvlan" },
                { "{'Name':'n','IPAM':{'Driver':'dhcp'}}", "ipam-driver", "dhcp" },
                { "{'Name':'n','Ingress':true}", "network-admin", "--ingress" },
                { "{'Name':'n','ConfigOnly':true}", "network-admin", "--config-only" },
                { "{'Name':'n','ConfigFrom':{'Network':'cfg'}}", "network-admin", "--config-from" },
                { "{'Name':'n','Labels':{'berth.user':'bob'}}", "label", "berth.user=bob" },
        };
        for (size_t i = 0; i < ELEMENTSOF(judged); i++) {
                ck_assert_int_eq(network_parse(judged[i].body, &s, NULL, &err), 0);
                expect_verdict(policy_check_network_create(&s, &v), &v, judged[i].rule, judged[i].needle);
                object_spec_done(&s);
        }
}
END_TEST

START_TEST(test_network_body_refused) {
        struct object_spec s = { 0 };
        json_t *doc = NULL;
        struct berth_error err;
        int r;
        r = network_parse("{'Name':'n','ipam':{'Driver':'dhcp'}}", &s, &doc, &err);
        expect_refused(r, &err, -EPERM, "must be written \"IPAM\"");
        r = network_parse("{'Name':'n','IPAM':{'driver':'dhcp'}}", &s, &doc, &err);
        expect_refused(r, &err, -EPERM, "\"driver\" in IPAM must be written \"Driver\"");
        r = network_parse("{'Name':'n','IPAM':{'Config':[{'subnet':'10.0.0.0/8'}]}}", &s, &doc, &err);
        expect_refused(r, &err, -EPERM, "in IPAM.Config[0] must be written \"Subnet\"");
        r = network_parse("{'Name':'n','IPAM':{'Config':['10.0.0.0/8']}}", &s, &doc, &err);
        expect_refused(r, &err, -EINVAL, "IPAM.Config[0] must be an object");
        r = network_parse("{'Name':'n','ConfigFrom':{'network':'x'}}", &s, &doc, &err);
        expect_refused(r, &err, -EPERM, "in ConfigFrom");
        r = network_parse("{'Name':'n','EnableIPv4':false}", &s, &doc, &err);
        expect_refused(r, &err, -EPERM, "not one berth knows");
        r = network_parse("{'Name':'n','Ingress':'true'}", &s, &doc, &err);
        expect_refused(r, &err, -EINVAL, "Ingress must be true or false");
        r = network_parse("{'Name':'n','IPAM':[]}", &s, &doc, &err);
        expect_refused(r, &err, -EINVAL, "IPAM must be an object");
        r = network_parse("{'Name':'n','Driver':'bridge','Driver':'macvlan'}", &s, &doc, &err);
        expect_refused(r, &err, -EPERM, "twice");
        ck_assert(!s.name && !doc);
}
END_TEST

/* The body forwarded: the owner's label, none of berth's but
 * berth.project, the rest as sent. */
START_TEST(test_create_rewrite) {
        static const char *const bodies[] = {
                "{'Name':'v','Labels':{'berth.user':'alice','Berth.Gpus':'x','berth.project':'p','team':'ml'}}",
                "{'Name':'v'}",
                "{'Name':'v','Labels':null}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bodies); i++) {
                _cleanup_(object_spec_done) struct object_spec s = { 0 }, again = { 0 };
                _cleanup_json_ json_t *doc = NULL, *out = NULL;
                _cleanup_free_ char *body = NULL;
                struct berth_error err;
                ck_assert_int_eq(volume_parse(bodies[i], &s, &doc, &err), 0);
                ck_assert_int_eq(api_object_create_rewrite(doc, "alice", &body), 0);
                ck_assert_int_eq(api_volume_create_parse(body, strlen(body), &again, NULL, &err), 0);
                out = answer(body);
                json_t *labels = json_object_get(out, "Labels");
                ck_assert_str_eq(json_string_value(json_object_get(out, "Name")), "v");
                ck_assert_str_eq(json_string_value(json_object_get(labels, "berth.user")), "alice");
                ck_assert_ptr_null(json_object_get(labels, "Berth.Gpus"));
                ck_assert_int_eq(json_object_size(labels), i == 0 ? 3 : 1);
                ck_assert(i != 0 || streq_ptr(json_string_value(json_object_get(labels, "berth.project")), "p"));
                ck_assert(i != 0 || streq_ptr(json_string_value(json_object_get(labels, "team")), "ml"));
                /* the document parsed is left as it was */
                ck_assert(i != 0 || json_object_get(json_object_get(doc, "Labels"), "Berth.Gpus"));
        }
        char *body = NULL;
        ck_assert_int_eq(api_object_create_rewrite(NULL, "alice", &body), -EINVAL);
}
END_TEST

START_TEST(test_attach_body) {
        _cleanup_free_ char *c = NULL, *body = NULL;
        _cleanup_json_ json_t *doc = NULL, *out = NULL;
        struct berth_error err;

        ck_assert_int_eq(attach_parse("{'Container':'web','EndpointConfig':{'Aliases':['db'],'IPAMConfig':{'IPv4Address':'10.9.0.5'},"
                                      "'Links':['other:o'],'DriverOpts':{}}}",
                                      true, &c, &doc, &err),
                         0);
        ck_assert_str_eq(c, "web");
        ck_assert_int_eq(api_network_attach_rewrite(doc, "0123abcd", &body), 0);
        out = answer(body);
        ck_assert_str_eq(json_string_value(json_object_get(out, "Container")), "0123abcd");
        ck_assert_ptr_nonnull(json_object_get(json_object_get(out, "EndpointConfig"), "Aliases"));
        c = mfree(c);
        json_decref(doc);
        doc = NULL;

        /* what docker network connect sends with no options, and disconnect -f */
        ck_assert_int_eq(attach_parse("{'Container':'web','EndpointConfig':null}", true, &c, NULL, &err), 0);
        c = mfree(c);
        ck_assert_int_eq(attach_parse("{'Container':'web','EndpointConfig':{'IPAMConfig':null,'Links':null,'Aliases':null}}", true,
                                      &c, NULL, &err),
                         0);
        c = mfree(c);
        ck_assert_int_eq(attach_parse("{'Container':'web','Force':true}", false, &c, NULL, &err), 0);
        ck_assert_str_eq(c, "web");
        c = mfree(c);

        int r = attach_parse("{'container':'web'}", true, &c, NULL, &err);
        expect_refused(r, &err, -EPERM, "must be written \"Container\"");
        r = attach_parse("{'Container':'web','EndpointConfig':{'aliases':['x']}}", true, &c, NULL, &err);
        expect_refused(r, &err, -EPERM, "\"aliases\" in EndpointConfig must be written \"Aliases\"");
        ck_assert_msg(!strstr(err.message, "NetworkingConfig"), "%s", err.message);
        r = attach_parse("{'Container':'web','EndpointConfig':{'Aliases':'x'}}", true, &c, NULL, &err);
        expect_refused(r, &err, -EINVAL, "EndpointConfig.Aliases must be a list of strings");
        r = attach_parse("{'Container':'web','EndpointConfig':{'Links':[':x']}}", true, &c, NULL, &err);
        expect_refused(r, &err, -EINVAL, "EndpointConfig names no container");
        r = attach_parse("{'Container':'web','EndpointConfig':[]}", true, &c, NULL, &err);
        expect_refused(r, &err, -EINVAL, "EndpointConfig must be an object");
        r = attach_parse("{'Container':'web','EndpointConfig':{}}", false, &c, NULL, &err);
        expect_refused(r, &err, -EPERM, "\"EndpointConfig\" at the top level is not one berth knows");
        r = attach_parse("{'Container':'web','Force':true}", true, &c, NULL, &err);
        expect_refused(r, &err, -EPERM, "\"Force\"");
        r = attach_parse("{'Container':''}", true, &c, NULL, &err);
        expect_refused(r, &err, -EINVAL, "names no \"Container\"");
        r = attach_parse("{}", false, &c, NULL, &err);
        expect_refused(r, &err, -EINVAL, "to disconnect");
        r = attach_parse("{'Container':'a','Container':'b'}", true, &c, NULL, &err);
        expect_refused(r, &err, -EPERM, "twice");
        r = attach_parse("{'Container':'a','EndpointConfig':{'Aliases':[],'Aliases':['x']}}", true, &c, NULL, &err);
        expect_refused(r, &err, -EPERM, "twice");
        ck_assert_ptr_null(c);
        ck_assert_int_eq(api_network_attach_rewrite(NULL, "x", &body), -EINVAL);
}
END_TEST

Suite *api_objects_suite(void) {
        Suite *s = suite_create("api-objects");
        TCase *rules = tcase_create("rules");
        tcase_add_test(rules, test_volume_create_rules);
        tcase_add_test(rules, test_network_create_rules);
        tcase_add_test(rules, test_object_name);
        tcase_add_test(rules, test_volume_target);
        tcase_add_test(rules, test_network_target);
        suite_add_tcase(s, rules);
        TCase *api = tcase_create("bodies");
        tcase_add_test(api, test_volume_body);
        tcase_add_test(api, test_volume_body_refused);
        tcase_add_test(api, test_network_body);
        tcase_add_test(api, test_network_body_refused);
        tcase_add_test(api, test_create_rewrite);
        tcase_add_test(api, test_attach_body);
        suite_add_tcase(s, api);
        return s;
}
