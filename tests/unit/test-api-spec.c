/* SPDX-License-Identifier: MIT */
/* The gate's reading of Docker API bodies (lib/policy/api-spec.c).  First
 * the promise that matters: a create body and the docker argv that means
 * the same are judged alike by policy_check(), family by family of keys.
 * Then the attacker's side: keys Docker would take but berth does not know
 * (case variants, \u spellings, duplicates, HostConfig fields at the top),
 * wrong types, fields that weaken isolation, bodies that are not one object.
 * Then the body the gate forwards: berth's labels and only berth's, the
 * slice, GPUs and defaults from the reservation, the owner, the resolved
 * binds.  Exec and update bodies last.  Bodies are written with ' for ". */
#include <check.h>
#include <math.h>
#include <stdbool.h>

#include "basic/util.h"
#include "core/config.h"
#include "policy/api-spec.h"
#include "policy/dockercli-spec.h"
#include "policy/dockercli.h"
#include "policy/policy.h"
#include "policy/spec.h"

#define GIB (1024ULL * 1024 * 1024)

static struct berth_config *cfg;
static struct resolved_user ru;
static const gid_t alice_gids[] = { 1000, 27 };
static const struct policy_identity alice = {
        .user = "alice", .uid = 1000, .gid = 1000, .gids = alice_gids, .n_gids = 2, .home = "/home/alice", .n_cpus = 8,
};

static void setup_config(void) {
        static const char text[] = "[policy]\n"
                                   "allowed_binds = ~ /data\n"
                                   "allowed_caps = SYS_PTRACE, cap_sys_nice\n"
                                   "[defaults]\n"
                                   "cpus = 4\n"
                                   "memory = 8G\n";
        struct config_errors errs = { 0 };
        char *none[] = { NULL };

        ck_assert_int_eq(config_new("/nonexistent", &cfg), 0);
        ck_assert_int_eq(config_parse_buffer(cfg, CONFIG_FILE_MAIN, "berth.conf", "berth", text, strlen(text), &errs), 0);
        config_errors_clear(&errs);
        ck_assert_int_eq(config_resolve_user_groups(cfg, "alice", 1000, none, 1700000000, &ru), 0);
}

static void teardown_config(void) {
        resolved_user_done(&ru);
        config_free(cfg);
        cfg = NULL;
}

/* ---- bodies and argv ------------------------------------------------------ */

/* The body with every ' made a ". */
static char *body_of(const char *text) {
        char *b = strdup(text);
        ck_assert_ptr_nonnull(b);
        for (char *p = b; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return b;
}

static int parse(const char *text, struct container_spec *s, json_t **doc, struct berth_error *err) {
        _cleanup_free_ char *b = body_of(text);
        *err = (struct berth_error) { 0 };
        return api_create_parse(b, strlen(b), s, doc, err);
}

/* A refusal: the code, one sentence starting "berth: " that holds needle,
 * and the ret parameters untouched. */
static void expect_refused_at(const char *file, int line, int r, const struct berth_error *err, int code,
                              const char *needle) {
        size_t n = strlen(err->message);
        ck_assert_msg(r == code, "%s:%d: expected %d, got %d (%s)", file, line, code, r, err->message);
        ck_assert_msg(strncmp(err->message, "berth: ", 7) == 0, "%s:%d: '%s' lacks the prefix", file, line, err->message);
        ck_assert_msg(n > 8 && err->message[n - 1] == '.', "%s:%d: '%s' is not one sentence", file, line, err->message);
        ck_assert_msg(!strchr(err->message, '\n'), "%s:%d: '%s' is more than one line", file, line, err->message);
        ck_assert_msg(!needle || strstr(err->message, needle), "%s:%d: '%s' lacks '%s'", file, line, err->message, needle);
}

#define PARSE_OK(text, s, doc)                                                                                   \
        do {                                                                                                     \
                struct berth_error e_;                                                                           \
                int r_ = parse((text), (s), (doc), &e_);                                                         \
                ck_assert_msg(r_ == 0, "%s: %d %s", (text), r_, e_.message);                                     \
        } while (0)

#define REFUSED(text, code, needle)                                                                              \
        do {                                                                                                     \
                struct container_spec s_ = { .n_mounts = 99 };                                                   \
                json_t *d_ = (json_t *) &s_;                                                                     \
                struct berth_error e_;                                                                           \
                int r_ = parse((text), &s_, &d_, &e_);                                                           \
                expect_refused_at(__FILE__, __LINE__, r_, &e_, (code), (needle));                                \
                ck_assert_msg(s_.n_mounts == 99 && !s_.image && d_ == (json_t *) &s_, "%s: ret was touched", (text)); \
        } while (0)

/* Facts the gate looks up before judging, made up the same for both
 * doors: binds resolve to themselves, devices are character devices
 * (/dev/sd* block devices), containers exist and are berth's, bob's when
 * their name starts with "bob", else alice's. */
static void resolve_facts(struct container_spec *s) {
        for (size_t i = 0; i < s->n_mounts; i++)
                if (s->mounts[i].kind == SPEC_MOUNT_BIND && s->mounts[i].source) {
                        s->mounts[i].resolved = strdup(s->mounts[i].source);
                        ck_assert_ptr_nonnull(s->mounts[i].resolved);
                }
        for (size_t i = 0; i < s->n_devices; i++) {
                s->devices[i].resolved = strdup(s->devices[i].path);
                ck_assert_ptr_nonnull(s->devices[i].resolved);
                s->devices[i].kind = strncmp(s->devices[i].path, "/dev/sd", 7) == 0 ? SPEC_DEVICE_BLOCK : SPEC_DEVICE_CHAR;
        }
        for (size_t i = 0; i < s->n_refs; i++) {
                struct spec_ref *r = &s->refs[i];
                r->resolved = r->exists = r->managed = true;
                r->owner = strdup(strncmp(r->name, "bob", 3) == 0 ? "bob" : "alice");
                ck_assert_ptr_nonnull(r->owner);
        }
}

/* docker's argv, " " between words, "\x01" for a space inside one. */
static void argv_spec(const char *line, struct container_spec *s) {
        _cleanup_free_ char *buf = NULL;
        char *argv[64];
        int argc = 0;
        struct docker_invocation inv;
        struct docker_args a = { .image_at = -1, .rename_new_at = -1, .dashdash_at = -1 };
        struct berth_error err = { 0 };

        ck_assert_int_ge(asprintf(&buf, "docker %s", line), 0);
        for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                for (char *p = w; *p; p++)
                        if (*p == '\x01')
                                *p = ' ';
                ck_assert_int_lt(argc, 63);
                argv[argc++] = w;
        }
        argv[argc] = NULL;
        ck_assert_msg(docker_parse_invocation(argc, argv, &inv, &err) == 0, "%s: %s", line, err.message);
        ck_assert_msg(docker_parse_args(&inv, argc, argv, &a, &err) == 0, "%s: %s", line, err.message);
        *s = (struct container_spec) { 0 };
        ck_assert_msg(docker_run_spec(&inv, argc, argv, &a, NULL, NULL, s, &err) == 0, "%s: %s", line, err.message);
        docker_args_done(&a);
}

static const char *strnull(const char *s) {
        return s ? s : "(null)";
}

static void same_strv(char *const *a, char *const *b, const char *what, const char *line) {
        ck_assert_msg(strv_length(a) == strv_length(b), "%s: %s: %zu against %zu", line, what, strv_length(a),
                      strv_length(b));
        for (size_t i = 0; a && a[i]; i++)
                ck_assert_msg(streq(a[i], b[i]), "%s: %s[%zu]: '%s' against '%s'", line, what, i, a[i], b[i]);
}

/* ---- the same verdict through both doors ----------------------------------- */

START_TEST(test_same_verdict) {
        static const struct {
                const char *argv, *body, *rule;
        } cases[] = {
                { "run img", "{'Image':'img'}", NULL },
                { "run --privileged img", "{'Image':'img','HostConfig':{'Privileged':true}}", "privileged" },
                { "run --cap-add SYS_PTRACE --cap-add cap_sys_nice img",
                  "{'Image':'img','HostConfig':{'CapAdd':['SYS_PTRACE','cap_sys_nice']}}", NULL },
                { "run --cap-add SYS_ADMIN img", "{'Image':'img','HostConfig':{'CapAdd':'SYS_ADMIN'}}", "cap-add" },
                /* mounts */
                { "run -v /home/alice/x:/x img", "{'Image':'img','HostConfig':{'Binds':['/home/alice/x:/x']}}", NULL },
                { "run -v /etc:/x:ro img", "{'Image':'img','HostConfig':{'Binds':['/etc:/x:ro']}}", "bind" },
                { "run -v data:/x img", "{'Image':'img','HostConfig':{'Binds':['data:/x']}}", NULL },
                { "run -v /anon img", "{'Image':'img','Volumes':{'/anon':{}}}", NULL },
                { "run -v /anon img", "{'Image':'img','HostConfig':{'Binds':['/anon']}}", NULL },
                { "run --mount type=bind,source=/data/a,target=/a,readonly img",
                  "{'Image':'img','HostConfig':{'Mounts':[{'Type':'bind','Source':'/data/a','Target':'/a','ReadOnly':true}]}}",
                  NULL },
                { "run --mount type=bind,source=/srv,target=/a img",
                  "{'Image':'img','HostConfig':{'Mounts':[{'Type':'bind','Source':'/srv','Target':'/a'}]}}", "bind" },
                { "run --mount type=volume,source=vol,target=/v,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc img",
                  "{'Image':'img','HostConfig':{'Mounts':[{'Type':'volume','Source':'vol','Target':'/v','VolumeOptions':"
                  "{'DriverConfig':{'Name':'local','Options':{'type':'none','o':'bind','device':'/etc'}}}}]}}",
                  "bind" },
                { "run --mount type=volume,source=vol,target=/v,volume-opt=device=/home/alice/v img",
                  "{'Image':'img','HostConfig':{'Mounts':[{'Type':'volume','Source':'vol','Target':'/v','VolumeOptions':"
                  "{'DriverConfig':{'Options':{'device':'/home/alice/v'}}}}]}}",
                  NULL },
                { "run --mount type=npipe,source=/x,target=/y img",
                  "{'Image':'img','HostConfig':{'Mounts':[{'Type':'npipe','Source':'/x','Target':'/y'}]}}", "mount-type" },
                { "run --mount type=cluster,source=x,target=/y img",
                  "{'Image':'img','HostConfig':{'Mounts':[{'Type':'cluster','Source':'x','Target':'/y','ClusterOptions':{}}]}}",
                  "mount-type" },
                { "run --tmpfs /t:size=1m img", "{'Image':'img','HostConfig':{'Tmpfs':{'/t':'size=1m'}}}", NULL },
                { "run --mount type=tmpfs,target=/t img",
                  "{'Image':'img','HostConfig':{'Mounts':[{'Type':'tmpfs','Target':'/t','TmpfsOptions':{'SizeBytes':1024,'Mode':448}}]}}",
                  NULL },
                { "run --mount type=bind,src=/home/alice/g,dst=/var/run/nvidia-container-devices/GPU-1 img",
                  "{'Image':'img','HostConfig':{'Mounts':[{'Type':'bind','Source':'/home/alice/g','Target':'/var/run/nvidia-container-devices/GPU-1'}]}}",
                  "gpu-device-list" },
                /* namespaces and other containers */
                { "run --pid host img", "{'Image':'img','HostConfig':{'PidMode':'host'}}", "host-namespace" },
                { "run --ipc container:bobc img", "{'Image':'img','HostConfig':{'IpcMode':'container:bobc'}}", "container-ref" },
                { "run --ipc container:mine img", "{'Image':'img','HostConfig':{'IpcMode':'container:mine'}}", NULL },
                { "run --pid container:bobc img", "{'Image':'img','HostConfig':{'PidMode':'container:bobc'}}", "container-ref" },
                { "run --uts host img", "{'Image':'img','HostConfig':{'UTSMode':'host'}}", "host-namespace" },
                { "run --userns host img", "{'Image':'img','HostConfig':{'UsernsMode':'host'}}", "host-namespace" },
                { "run --cgroupns host img", "{'Image':'img','HostConfig':{'CgroupnsMode':'host'}}", "host-namespace" },
                { "run --network host img", "{'Image':'img','HostConfig':{'NetworkMode':'host'}}", "host-network" },
                { "run --network host img", "{'Image':'img','NetworkingConfig':{'EndpointsConfig':{'host':{}}}}", "host-network" },
                { "run --network container:bobc img", "{'Image':'img','HostConfig':{'NetworkMode':'container:bobc'}}",
                  "container-ref" },
                { "run --network mynet img",
                  "{'Image':'img','HostConfig':{'NetworkMode':'mynet'},'NetworkingConfig':{'EndpointsConfig':{'mynet':{'Aliases':['web']}}}}",
                  NULL },
                { "run --volumes-from bobc img", "{'Image':'img','HostConfig':{'VolumesFrom':['bobc:ro']}}", "container-ref" },
                { "run --volumes-from mine img", "{'Image':'img','HostConfig':{'VolumesFrom':['mine']}}", NULL },
                { "run --link bobc:db img", "{'Image':'img','HostConfig':{'Links':['bobc:db']}}", "container-ref" },
                { "run --network mynet --link bobc:db img",
                  "{'Image':'img','HostConfig':{'NetworkMode':'mynet'},'NetworkingConfig':{'EndpointsConfig':{'mynet':{'Links':['bobc:db']}}}}",
                  "container-ref" },
                /* devices and GPUs */
                { "run --device /dev/fuse img",
                  "{'Image':'img','HostConfig':{'Devices':[{'PathOnHost':'/dev/fuse','PathInContainer':'/dev/fuse','CgroupPermissions':'rwm'}]}}",
                  NULL },
                { "run --device /dev/nvidia0 img", "{'Image':'img','HostConfig':{'Devices':[{'PathOnHost':'/dev/nvidia0'}]}}",
                  "device" },
                { "run --device /dev/sda img", "{'Image':'img','HostConfig':{'Devices':[{'PathOnHost':'/dev/sda'}]}}", "device" },
                { "run --device-cgroup-rule c\x01" "1:3\x01rwm img", "{'Image':'img','HostConfig':{'DeviceCgroupRules':['c 1:3 rwm']}}",
                  "device" },
                { "run --gpus all img",
                  "{'Image':'img','HostConfig':{'DeviceRequests':[{'Driver':'','Count':-1,'DeviceIDs':null,'Capabilities':[['gpu']],'Options':{}}]}}",
                  NULL },
                { "run --gpus 2 img", "{'Image':'img','HostConfig':{'DeviceRequests':[{'Count':2,'Capabilities':[['gpu']]}]}}", NULL },
                { "run --gpus \"device=0,1\" img",
                  "{'Image':'img','HostConfig':{'DeviceRequests':[{'Driver':'nvidia','DeviceIDs':['0','1'],'Capabilities':[['gpu','compute']]}]}}",
                  NULL },
                { "run --gpus device=GPU-a img",
                  "{'Image':'img','HostConfig':{'DeviceRequests':[{'DeviceIDs':['GPU-a'],'Capabilities':[['gpu']]}]}}", NULL },
                { "run -e NVIDIA_VISIBLE_DEVICES=all img", "{'Image':'img','Env':['NVIDIA_VISIBLE_DEVICES=all']}", "gpu-env" },
                { "run -e A=1 -e B img", "{'Image':'img','Env':['A=1','B']}", NULL },
                /* resources */
                { "run --cpus 2 img", "{'Image':'img','HostConfig':{'NanoCpus':2000000000}}", NULL },
                { "run --cpus 0.5 img", "{'Image':'img','HostConfig':{'NanoCpus':500000000}}", NULL },
                { "run --cpus 8 img", "{'Image':'img','HostConfig':{'NanoCpus':8000000000}}", "cpus" },
                { "run --cpu-quota 1000 img", "{'Image':'img','HostConfig':{'CpuQuota':1000}}", "cpu-quota" },
                { "run --cpu-period 1000 img", "{'Image':'img','HostConfig':{'CpuPeriod':1000}}", "cpu-quota" },
                { "run --cpu-rt-runtime 1000 img", "{'Image':'img','HostConfig':{'CpuRealtimeRuntime':1000}}", "cpu-quota" },
                { "run -m 2g img", "{'Image':'img','HostConfig':{'Memory':2147483648}}", NULL },
                { "run -m 16g img", "{'Image':'img','HostConfig':{'Memory':17179869184}}", "memory" },
                { "run -m 2g --memory-swap 2g img", "{'Image':'img','HostConfig':{'Memory':2147483648,'MemorySwap':2147483648}}",
                  NULL },
                { "run --memory-swap -1 img", "{'Image':'img','HostConfig':{'MemorySwap':-1}}", "memory-swap" },
                { "run --cpuset-cpus 0-1 --cpuset-mems 0 img", "{'Image':'img','HostConfig':{'CpusetCpus':'0-1','CpusetMems':'0'}}",
                  NULL },
                { "run --cpuset-cpus 0-99 img", "{'Image':'img','HostConfig':{'CpusetCpus':'0-99'}}", "cpuset" },
                { "run --cpu-shares 512 img", "{'Image':'img','HostConfig':{'CpuShares':512}}", NULL },
                { "run --cpu-shares 4096 img", "{'Image':'img','HostConfig':{'CpuShares':4096}}", "cpu-shares" },
                { "run --oom-kill-disable img", "{'Image':'img','HostConfig':{'OomKillDisable':true}}", "oom-kill-disable" },
                { "run --oom-score-adj -5 img", "{'Image':'img','HostConfig':{'OomScoreAdj':-5}}", "oom-score-adj" },
                { "run --oom-score-adj 500 img", "{'Image':'img','HostConfig':{'OomScoreAdj':500}}", NULL },
                { "run --ulimit nofile=1024:2048 img",
                  "{'Image':'img','HostConfig':{'Ulimits':[{'Name':'nofile','Soft':1024,'Hard':2048}]}}", NULL },
                { "run --ulimit memlock=-1:-1 img", "{'Image':'img','HostConfig':{'Ulimits':[{'Name':'memlock','Soft':-1,'Hard':-1}]}}",
                  "ulimit" },
                /* ports */
                { "run -p 80:80 img", "{'Image':'img','HostConfig':{'PortBindings':{'80/tcp':[{'HostIp':'','HostPort':'80'}]}}}",
                  "publish" },
                { "run -p 8080:80 img", "{'Image':'img','HostConfig':{'PortBindings':{'80/tcp':[{'HostIp':'','HostPort':'8080'}]}}}",
                  NULL },
                { "run -p 127.0.0.1:22:22/tcp img",
                  "{'Image':'img','HostConfig':{'PortBindings':{'22/tcp':[{'HostIp':'127.0.0.1','HostPort':'22'}]}}}", "publish" },
                { "run -p ::1:443:443 img", "{'Image':'img','HostConfig':{'PortBindings':{'443/tcp':[{'HostIp':'::1','HostPort':'443'}]}}}",
                  "publish" },
                { "run -p 80 img", "{'Image':'img','HostConfig':{'PortBindings':{'80/tcp':[{'HostIp':'','HostPort':''}]}}}", NULL },
                { "run -p 0-2000:80 img", "{'Image':'img','HostConfig':{'PortBindings':{'80/tcp':[{'HostPort':'0-2000'}]}}}",
                  "publish" },
                /* who the container runs as */
                { "run -u 0 -v /home/alice/x:/x img", "{'Image':'img','User':'0','HostConfig':{'Binds':['/home/alice/x:/x']}}",
                  "host-path-user" },
                { "run -u 1000 -v /home/alice/x:/x img", "{'Image':'img','User':'1000','HostConfig':{'Binds':['/home/alice/x:/x']}}",
                  NULL },
                { "run --group-add 27 -v /home/alice/x:/x img",
                  "{'Image':'img','HostConfig':{'GroupAdd':['27'],'Binds':['/home/alice/x:/x']}}", NULL },
                { "run --group-add 0 -v /home/alice/x:/x img",
                  "{'Image':'img','HostConfig':{'GroupAdd':['0'],'Binds':['/home/alice/x:/x']}}", "host-path-user" },
                /* the rest of the options with a rule */
                { "run --volume-driver foo img", "{'Image':'img','HostConfig':{'VolumeDriver':'foo'}}", "volume-driver" },
                { "run --log-driver syslog img", "{'Image':'img','HostConfig':{'LogConfig':{'Type':'syslog','Config':{}}}}",
                  "log-driver" },
                { "run --log-driver local --log-opt max-size=1m img",
                  "{'Image':'img','HostConfig':{'LogConfig':{'Type':'local','Config':{'max-size':'1m'}}}}", NULL },
                { "run --log-opt tag=x img", "{'Image':'img','HostConfig':{'LogConfig':{'Type':'','Config':{'tag':'x'}}}}", "log-opt" },
                { "run --annotation a=b img", "{'Image':'img','HostConfig':{'Annotations':{'a':'b'}}}", "annotation" },
                { "run --storage-opt size=1G img", "{'Image':'img','HostConfig':{'StorageOpt':{'size':'1G'}}}", NULL },
                { "run --storage-opt foo=x img", "{'Image':'img','HostConfig':{'StorageOpt':{'foo':'x'}}}", "storage-opt" },
                { "run --runtime nvidia img", "{'Image':'img','HostConfig':{'Runtime':'nvidia'}}", NULL },
                { "run --runtime kata img", "{'Image':'img','HostConfig':{'Runtime':'kata'}}", "runtime" },
                { "run --security-opt no-new-privileges img", "{'Image':'img','HostConfig':{'SecurityOpt':['no-new-privileges']}}",
                  NULL },
                { "run --security-opt seccomp=unconfined img", "{'Image':'img','HostConfig':{'SecurityOpt':['seccomp=unconfined']}}",
                  "security-opt" },
                { "run --sysctl net.ipv4.ip_forward=1 img", "{'Image':'img','HostConfig':{'Sysctls':{'net.ipv4.ip_forward':'1'}}}",
                  NULL },
                { "run --cgroup-parent /x img", "{'Image':'img','HostConfig':{'CgroupParent':'/x'}}", "cgroup-parent" },
                /* labels */
                { "run -l berth.user=bob img", "{'Image':'img','Labels':{'berth.user':'bob'}}", "label" },
                { "run -l Berth.User=bob img", "{'Image':'img','Labels':{'Berth.User':'bob'}}", "label" },
                { "run -l berth.project=thesis -l app=1 img", "{'Image':'img','Labels':{'berth.project':'thesis','app':'1'}}", NULL },
                /* what only touches the container itself */
                { "run -it --rm --init --read-only --shm-size 1g --pids-limit 100 --restart always --dns 1.1.1.1 "
                  "--add-host a:1.2.3.4 --hostname h --workdir /w --entrypoint sh --memory-reservation 1g "
                  "--memory-swappiness 10 --blkio-weight 100 --cap-drop ALL --stop-signal TERM img",
                  "{'Image':'img','Tty':true,'OpenStdin':true,'Hostname':'h','WorkingDir':'/w','Entrypoint':['sh'],"
                  "'StopSignal':'TERM','HostConfig':{'AutoRemove':true,'Init':true,'ReadonlyRootfs':true,'ShmSize':1073741824,"
                  "'PidsLimit':100,'RestartPolicy':{'Name':'always','MaximumRetryCount':0},'Dns':['1.1.1.1'],"
                  "'ExtraHosts':['a:1.2.3.4'],'MemoryReservation':1073741824,'MemorySwappiness':10,'BlkioWeight':100,"
                  "'CapDrop':['ALL']}}",
                  NULL },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct container_spec a, b;
                struct policy_verdict va, vb;
                struct berth_error err;
                char label[512];

                snprintf(label, sizeof(label), "#%zu docker %s", i, cases[i].argv);
                argv_spec(cases[i].argv, &a);
                int r = parse(cases[i].body, &b, NULL, &err);
                ck_assert_msg(r == 0, "%s: the body is refused: %s", label, err.message);
                resolve_facts(&a);
                resolve_facts(&b);
                ck_assert_int_eq(policy_check(cfg, &ru, &alice, &a, &va), 0);
                ck_assert_int_eq(policy_check(cfg, &ru, &alice, &b, &vb), 0);
                ck_assert_msg(streq_ptr(va.rule, cases[i].rule), "%s: argv: rule %s, expected %s (%s)", label,
                              strnull(va.rule), strnull(cases[i].rule), va.reason);
                ck_assert_msg(streq_ptr(vb.rule, cases[i].rule), "%s: body: rule %s, expected %s (%s)", label,
                              strnull(vb.rule), strnull(cases[i].rule), vb.reason);
                ck_assert_msg(va.allowed == vb.allowed, "%s: allowed %d against %d", label, va.allowed, vb.allowed);
                ck_assert_msg(va.run_as_owner == vb.run_as_owner, "%s: run_as_owner %d against %d", label,
                              va.run_as_owner, vb.run_as_owner);
                ck_assert_msg(va.gpus == vb.gpus && va.gpus_all == vb.gpus_all, "%s: gpus %g/%d against %g/%d", label,
                              va.gpus, va.gpus_all, vb.gpus, vb.gpus_all);
                same_strv(va.gpu_devices, vb.gpu_devices, "gpu devices", label);
                ck_assert_msg(fabs(va.cpus - vb.cpus) < 1e-9 && va.memory == vb.memory, "%s: cpus/memory differ", label);
                ck_assert_msg(streq_ptr(va.project, vb.project), "%s: project %s against %s", label, strnull(va.project),
                              strnull(vb.project));
                /* the spec fields the rules read, field by field */
                ck_assert_str_eq(a.image, b.image);
                same_strv(a.labels, b.labels, "labels", label);
                same_strv(a.env, b.env, "env", label);
                same_strv(a.cap_add, b.cap_add, "cap_add", label);
                same_strv(a.networks, b.networks, "networks", label);
                same_strv(a.security_opts, b.security_opts, "security_opts", label);
                same_strv(a.log_opts, b.log_opts, "log_opts", label);
                same_strv(a.ulimits, b.ulimits, "ulimits", label);
                same_strv(a.sysctls, b.sysctls, "sysctls", label);
                same_strv(a.device_cgroup_rules, b.device_cgroup_rules, "device_cgroup_rules", label);
                ck_assert_msg(a.n_mounts == b.n_mounts && a.n_refs == b.n_refs && a.n_devices == b.n_devices,
                              "%s: mounts %zu/%zu refs %zu/%zu devices %zu/%zu", label, a.n_mounts, b.n_mounts, a.n_refs,
                              b.n_refs, a.n_devices, b.n_devices);
                for (size_t k = 0; k < a.n_mounts; k++) {
                        ck_assert_msg(a.mounts[k].kind == b.mounts[k].kind, "%s: mount %zu kind", label, k);
                        ck_assert_msg(streq_ptr(a.mounts[k].source, b.mounts[k].source) &&
                                              streq_ptr(a.mounts[k].target, b.mounts[k].target) &&
                                              streq_ptr(a.mounts[k].type, b.mounts[k].type),
                                      "%s: mount %zu: %s:%s (%s) against %s:%s (%s)", label, k,
                                      strnull(a.mounts[k].source), strnull(a.mounts[k].target), strnull(a.mounts[k].type),
                                      strnull(b.mounts[k].source), strnull(b.mounts[k].target), strnull(b.mounts[k].type));
                        same_strv(a.mounts[k].volume_opts, b.mounts[k].volume_opts, "volume_opts", label);
                }
                for (size_t k = 0; k < a.n_refs; k++)
                        ck_assert_msg(streq(a.refs[k].name, b.refs[k].name) &&
                                              (streq(a.refs[k].flag, b.refs[k].flag) ||
                                               (streq(a.refs[k].flag, "--net") && streq(b.refs[k].flag, "--network"))),
                                      "%s: ref %zu: %s %s against %s %s", label, k, a.refs[k].flag, a.refs[k].name,
                                      b.refs[k].flag, b.refs[k].name);
                policy_verdict_done(&va);
                policy_verdict_done(&vb);
                container_spec_done(&a);
                container_spec_done(&b);
        }
}
END_TEST

/* ---- what the spec gets ------------------------------------------------------ */

/* Roughly what the docker 20.10 CLI sends for
 * docker create -v /home/alice/d:/d -e A=1 busybox: every field, zero where
 * not given. */
static const char cli_body[] =
        "{'Hostname':'','Domainname':'','User':'','AttachStdin':false,'AttachStdout':true,'AttachStderr':true,"
        "'Tty':false,'OpenStdin':false,'StdinOnce':false,'Env':['A=1'],'Cmd':null,'Image':'busybox','Volumes':{},"
        "'WorkingDir':'','Entrypoint':null,'OnBuild':null,'Labels':{},'HostConfig':{'Binds':['/home/alice/d:/d'],"
        "'ContainerIDFile':'','LogConfig':{'Type':'','Config':{}},'NetworkMode':'default','PortBindings':{},"
        "'RestartPolicy':{'Name':'no','MaximumRetryCount':0},'AutoRemove':false,'VolumeDriver':'','VolumesFrom':null,"
        "'CapAdd':null,'CapDrop':null,'CgroupnsMode':'','Dns':[],'DnsOptions':[],'DnsSearch':[],'ExtraHosts':null,"
        "'GroupAdd':null,'IpcMode':'','Cgroup':'','Links':null,'OomScoreAdj':0,'PidMode':'','Privileged':false,"
        "'PublishAllPorts':false,'ReadonlyRootfs':false,'SecurityOpt':null,'UTSMode':'','UsernsMode':'','ShmSize':0,"
        "'ConsoleSize':[0,0],'Isolation':'','CpuShares':0,'Memory':0,'NanoCpus':0,'CgroupParent':'','BlkioWeight':0,"
        "'BlkioWeightDevice':[],'BlkioDeviceReadBps':null,'BlkioDeviceWriteBps':null,'BlkioDeviceReadIOps':null,"
        "'BlkioDeviceWriteIOps':null,'CpuPeriod':0,'CpuQuota':0,'CpuRealtimePeriod':0,'CpuRealtimeRuntime':0,"
        "'CpusetCpus':'','CpusetMems':'','Devices':[],'DeviceCgroupRules':null,'DeviceRequests':null,'KernelMemory':0,"
        "'KernelMemoryTCP':0,'MemoryReservation':0,'MemorySwap':0,'MemorySwappiness':null,'OomKillDisable':false,"
        "'PidsLimit':null,'Ulimits':null,'CpuCount':0,'CpuPercent':0,'IOMaximumIOps':0,'IOMaximumBandwidth':0,"
        "'MaskedPaths':null,'ReadonlyPaths':null},'NetworkingConfig':{'EndpointsConfig':{}}}";

START_TEST(test_cli_body) {
        struct container_spec s;
        struct policy_verdict v;
        _cleanup_json_ json_t *doc = NULL;

        PARSE_OK(cli_body, &s, &doc);
        ck_assert_ptr_nonnull(doc);
        ck_assert_str_eq(s.image, "busybox");
        ck_assert_ptr_null(s.name);
        ck_assert_ptr_null(s.user);
        ck_assert_uint_eq(s.n_mounts, 1);
        ck_assert_int_eq(s.mounts[0].kind, SPEC_MOUNT_BIND);
        ck_assert_str_eq(s.mounts[0].source, "/home/alice/d");
        ck_assert_str_eq(s.mounts[0].target, "/d");
        ck_assert_str_eq(s.mounts[0].flag, "HostConfig.Binds");
        /* zero is "not given", everywhere */
        ck_assert(!s.cpus_given && !s.memory_given && !s.memory_swap_given && !s.cpu_shares_given && !s.cpu_quota_given);
        ck_assert(!s.privileged && !s.oom_kill_disable && !s.oom_score_adj_given);
        ck_assert_ptr_null(s.cgroup_parent);
        ck_assert_ptr_null(s.cpuset_cpus);
        ck_assert_ptr_null(s.log_driver);
        ck_assert_ptr_null(s.pid);
        ck_assert_ptr_null(s.gpus);
        ck_assert_uint_eq(s.n_devices, 0);
        ck_assert_str_eq(s.networks[0], "default");
        resolve_facts(&s);
        ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, &v), 0);
        ck_assert_msg(v.allowed, "%s", v.reason);
        ck_assert(v.run_as_owner);
        policy_verdict_done(&v);
        container_spec_done(&s);

        /* null for everything Docker takes as absent */
        PARSE_OK("{'Image':'x','Env':null,'Labels':null,'Volumes':null,'Healthcheck':null,'StopTimeout':null,"
                 "'HostConfig':{'Binds':null,'Privileged':null,'MaskedPaths':null,'ReadonlyPaths':null,'Mounts':null,"
                 "'LogConfig':null,'PortBindings':{'80/tcp':null},'Isolation':null,'Cgroup':null,'KernelMemory':null},"
                 "'NetworkingConfig':null}",
                 &s, NULL);
        ck_assert_uint_eq(s.n_mounts, 0);
        ck_assert_ptr_null(s.publish);
        container_spec_done(&s);
        PARSE_OK("{'Image':'x','HostConfig':null}", &s, NULL);
        container_spec_done(&s);
        /* docker-ce 28's CLI sends GwPriority (API 1.48) at every API version */
        PARSE_OK("{'Image':'x','NetworkingConfig':{'EndpointsConfig':{'default':{'GwPriority':0,'DNSNames':null}}}}", &s,
                 NULL);
        container_spec_done(&s);
        /* the defaults that say nothing */
        PARSE_OK("{'Image':'x','HostConfig':{'Isolation':'default','KernelMemory':0,'CpuCount':0,'BlkioDeviceReadBps':[],"
                 "'Cgroup':'','ContainerIDFile':'/home/alice/cid'}}",
                 &s, NULL);
        container_spec_done(&s);
}
END_TEST

START_TEST(test_spec_fields) {
        struct container_spec s;

        PARSE_OK("{'Image':'pytorch:2','User':'1000:1000','Env':['A=1'],'Labels':{'a':'1','b':''},"
                 "'Volumes':{'/anon':{}},'Cmd':'python train.py','Healthcheck':{'Test':['CMD','true'],'Interval':1000000000},"
                 "'HostConfig':{'Binds':['/home/alice/x:/x:ro,z','named:/n','/only'],"
                 "'Mounts':[{'Type':'volume','Source':'vol','Target':'/v','VolumeOptions':{'NoCopy':true,'Labels':{'k':'v'},"
                 "'DriverConfig':{'Name':'local','Options':{'type':'none','device':'/data/v'}}}},"
                 "{'Type':'bind','Source':'/data','Target':'/d','BindOptions':{'Propagation':'rprivate'}}],"
                 "'Tmpfs':{'/run':'size=64m'},'VolumesFrom':['c1:ro'],'Links':['c2:db'],'NetworkMode':'container:c3',"
                 "'PidMode':'container:c4','IpcMode':'shareable','UTSMode':'','GroupAdd':['27'],'CapAdd':['NET_ADMIN'],"
                 "'DeviceRequests':[{'Count':1,'Capabilities':[['gpu']]}],'NanoCpus':1500000000,'Memory':1073741824,"
                 "'MemorySwap':1073741824,'CpuShares':100,'CpusetCpus':'0-3','CpusetMems':'0','VolumeDriver':'local',"
                 "'LogConfig':{'Type':'json-file','Config':{'max-size':'10m'}},'Ulimits':[{'Name':'nofile','Soft':1,'Hard':2}],"
                 "'Annotations':{'x':'y'},'StorageOpt':{'size':'10G'},'Sysctls':{'net.core.somaxconn':'1024'},"
                 "'SecurityOpt':['no-new-privileges'],'Runtime':'nvidia','OomScoreAdj':100,'OomKillDisable':false,"
                 "'PortBindings':{'8080/tcp':[{'HostIp':'0.0.0.0','HostPort':'18080'},{'HostPort':'18081'}]},"
                 "'Devices':[{'PathOnHost':'/dev/fuse','PathInContainer':'/dev/fuse','CgroupPermissions':'rwm'}],"
                 "'CgroupnsMode':'private','UsernsMode':'','Privileged':false},"
                 "'NetworkingConfig':{'EndpointsConfig':{'net1':{'IPAMConfig':{'IPv4Address':'10.0.0.5'},'Links':['c5'],"
                 "'Aliases':['a'],'DriverOpts':{'x':'y'},'DNSNames':['n']},'net2':{}}}}",
                 &s, NULL);
        ck_assert_str_eq(s.image, "pytorch:2");
        ck_assert_str_eq(s.user, "1000:1000");
        ck_assert_str_eq(s.env[0], "A=1");
        ck_assert_uint_eq(strv_length(s.labels), 2);
        ck_assert_str_eq(s.labels[0], "a=1");
        ck_assert_str_eq(s.labels[1], "b=");
        /* mounts: Binds, Mounts, Tmpfs, Volumes, in that order */
        ck_assert_uint_eq(s.n_mounts, 7);
        ck_assert_int_eq(s.mounts[0].kind, SPEC_MOUNT_BIND);
        ck_assert_str_eq(s.mounts[0].source, "/home/alice/x");
        ck_assert_str_eq(s.mounts[0].target, "/x");
        ck_assert_int_eq(s.mounts[1].kind, SPEC_MOUNT_VOLUME);
        ck_assert_str_eq(s.mounts[1].source, "named");
        ck_assert_int_eq(s.mounts[2].kind, SPEC_MOUNT_VOLUME);
        ck_assert_ptr_null(s.mounts[2].source);
        ck_assert_str_eq(s.mounts[2].target, "/only");
        ck_assert_int_eq(s.mounts[3].kind, SPEC_MOUNT_VOLUME);
        ck_assert_str_eq(s.mounts[3].flag, "HostConfig.Mounts");
        ck_assert_str_eq(s.mounts[3].volume_driver, "local");
        ck_assert_uint_eq(strv_length(s.mounts[3].volume_opts), 2);
        ck_assert_str_eq(s.mounts[3].volume_opts[1], "device=/data/v");
        ck_assert_int_eq(s.mounts[4].kind, SPEC_MOUNT_BIND);
        ck_assert_str_eq(s.mounts[4].source, "/data");
        ck_assert_int_eq(s.mounts[5].kind, SPEC_MOUNT_TMPFS);
        ck_assert_str_eq(s.mounts[5].target, "/run");
        ck_assert_str_eq(s.mounts[5].flag, "HostConfig.Tmpfs");
        ck_assert_int_eq(s.mounts[6].kind, SPEC_MOUNT_VOLUME);
        ck_assert_str_eq(s.mounts[6].flag, "Volumes");
        ck_assert_str_eq(s.mounts[6].target, "/anon");
        /* every container named: VolumesFrom, Links, NetworkMode, PidMode, EndpointsConfig Links */
        ck_assert_uint_eq(s.n_refs, 5);
        const char *refs[][2] = { { "--network", "c3" }, { "--volumes-from", "c1" }, { "--link", "c2" }, { "--pid", "c4" },
                                  { "--link", "c5" } };
        for (size_t i = 0; i < 5; i++) {
                bool found = false;
                for (size_t k = 0; k < s.n_refs; k++)
                        found = found || (streq(s.refs[k].flag, refs[i][0]) && streq(s.refs[k].name, refs[i][1]));
                ck_assert_msg(found, "no ref %s %s", refs[i][0], refs[i][1]);
        }
        ck_assert_uint_eq(strv_length(s.networks), 3);
        ck_assert_str_eq(s.networks[0], "container:c3");
        ck_assert_str_eq(s.networks[1], "net1");
        ck_assert_str_eq(s.networks[2], "net2");
        ck_assert_str_eq(s.pid, "container:c4");
        ck_assert_str_eq(s.ipc, "shareable");
        ck_assert_ptr_null(s.uts);
        ck_assert_ptr_null(s.userns);
        ck_assert_str_eq(s.cgroupns, "private");
        ck_assert_str_eq(s.group_add[0], "27");
        ck_assert_str_eq(s.cap_add[0], "NET_ADMIN");
        ck_assert_str_eq(s.gpus[0], "1");
        ck_assert(s.cpus_given && fabs(s.cpus - 1.5) < 1e-12);
        ck_assert(s.memory_given && s.memory == GIB);
        ck_assert(s.memory_swap_given && s.memory_swap == (int64_t) GIB);
        ck_assert(s.cpu_shares_given && s.cpu_shares == 100);
        ck_assert_str_eq(s.cpuset_cpus, "0-3");
        ck_assert_str_eq(s.cpuset_mems, "0");
        ck_assert_str_eq(s.volume_driver, "local");
        ck_assert_str_eq(s.log_driver, "json-file");
        ck_assert_str_eq(s.log_opts[0], "max-size=10m");
        ck_assert_str_eq(s.ulimits[0], "nofile=1:2");
        ck_assert_str_eq(s.annotations[0], "x=y");
        ck_assert_str_eq(s.storage_opts[0], "size=10G");
        ck_assert_str_eq(s.sysctls[0], "net.core.somaxconn=1024");
        ck_assert_str_eq(s.security_opts[0], "no-new-privileges");
        ck_assert_str_eq(s.runtime, "nvidia");
        ck_assert(s.oom_score_adj_given && s.oom_score_adj == 100);
        ck_assert(!s.oom_kill_disable && !s.privileged);
        ck_assert_uint_eq(strv_length(s.publish), 2);
        ck_assert_str_eq(s.publish[0], "0.0.0.0:18080:8080/tcp");
        ck_assert_str_eq(s.publish[1], "18081:8080/tcp");
        ck_assert_uint_eq(s.n_devices, 1);
        ck_assert_str_eq(s.devices[0].path, "/dev/fuse");
        ck_assert_ptr_null(s.devices[0].resolved);
        container_spec_done(&s);

        /* the GPU requests, as policy_parse_gpus() reads --gpus */
        static const struct {
                const char *req, *gpus;
        } gpus[] = {
                { "{'Count':-1,'Capabilities':[['gpu']]}", "all" },
                { "{'Driver':'nvidia','Count':3}", "3" },
                { "{'Count':0,'Capabilities':[['gpu']]}", "0" },
                { "{'DeviceIDs':['GPU-a','GPU-b'],'Capabilities':[['nvidia','gpu','utility']]}", "\"device=GPU-a,GPU-b\"" },
                { "{'DeviceIDs':['a\\'b'],'Capabilities':[['gpu']]}", "\"device=a\"\"b\"" },
                { "{'Count':1,'Capabilities':[['compute'],['gpu']]}", "1" },
        };
        for (size_t i = 0; i < ELEMENTSOF(gpus); i++) {
                _cleanup_free_ char *text = NULL;
                double n;
                bool all;
                char **devices = NULL;
                ck_assert_int_ge(asprintf(&text, "{'Image':'x','HostConfig':{'DeviceRequests':[%s]}}", gpus[i].req), 0);
                PARSE_OK(text, &s, NULL);
                ck_assert_uint_eq(strv_length(s.gpus), 1);
                ck_assert_str_eq(s.gpus[0], gpus[i].gpus);
                ck_assert_int_eq(policy_parse_gpus(s.gpus[0], &n, &all, &devices), 0);
                strv_free(devices);
                container_spec_done(&s);
        }
}
END_TEST

/* ---- refused bodies ------------------------------------------------------------ */

START_TEST(test_refused_keys) {
        /* case variants: Docker's decoder would take them */
        REFUSED("{'Image':'x','HostConfig':{'privileged':true}}", -EPERM, "must be written \"Privileged\"");
        REFUSED("{'Image':'x','hostconfig':{'Privileged':true}}", -EPERM, "\"HostConfig\"");
        REFUSED("{'Image':'x','HOSTCONFIG':{}}", -EPERM, "\"HostConfig\"");
        REFUSED("{'image':'x'}", -EPERM, "\"Image\"");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'type':'bind','Source':'/x','Target':'/y'}]}}", -EPERM,
                "in HostConfig.Mounts[0]");
        REFUSED("{'Image':'x','HostConfig':{'Privileged':false,'privileged':true}}", -EPERM, "Privileged");
        REFUSED("{'Image':'x','NetworkingConfig':{'endpointsconfig':{}}}", -EPERM, "EndpointsConfig");
        /* Unicode folding: Go matches U+212A KELVIN SIGN with k */
        REFUSED("{'Image':'x','HostConfig':{'Mas\xe2\x84\xaa" "edPaths':[]}}", -EPERM, "not one berth knows");
        /* \u spellings of plain letters, at the top and nested */
        REFUSED("{'Image':'x','Hos\\u0074Config':{'Privileged':true}}", -EPERM, "\\u escape");
        REFUSED("{'Image':'x','HostConfig':{'Privil\\u0065ged':true}}", -EPERM, "\\u escape");
        REFUSED("{'Image':'x','Labels':{'berth\\u002euser':'bob'}}", -EPERM, "\\u escape");
        REFUSED("{'Image':'x','HostConfig' : {'\\u0050rivileged' :true}}", -EPERM, "\\u escape");
        /* duplicates, at every depth, maps too */
        REFUSED("{'Image':'x','Image':'y'}", -EPERM, "twice");
        REFUSED("{'Image':'x','HostConfig':{'Privileged':false,'Privileged':true}}", -EPERM, "twice");
        REFUSED("{'Image':'x','Labels':{'a':'1','a':'2'}}", -EPERM, "twice");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'Type':'bind','Type':'volume','Target':'/y'}]}}", -EPERM, "twice");
        REFUSED("{'Image':'x','HostConfig':{},'HostConfig':{}}", -EPERM, "twice");
        /* HostConfig fields at the top level (honoured by dockerd up to 20.10) */
        REFUSED("{'Image':'x','Privileged':true}", -EPERM, "top level of a create request");
        REFUSED("{'Image':'x','Binds':['/:/host']}", -EPERM, "put them inside \"HostConfig\"");
        REFUSED("{'Image':'x','privileged':true}", -EPERM, "top level");
        REFUSED("{'Image':'x','Memory':1,'HostConfig':{}}", -EPERM, "top level");
        REFUSED("{'Image':'x','Cpuset':'0'}", -EPERM, "top level");
        REFUSED("{'Image':'x','CgroupParent':'/'}", -EPERM, "top level");
        /* unknown keys */
        REFUSED("{'Image':'x','Foo':1}", -EPERM, "\"Foo\" at the top level is not one berth knows");
        REFUSED("{'Image':'x','HostConfig':{'Capabilities':['ALL']}}", -EPERM, "in HostConfig is not one berth knows");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'Type':'image','Source':'x','Target':'/y','ImageOptions':{}}]}}",
                -EPERM, "ImageOptions");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'Type':'bind','Source':'/x','Target':'/y','BindOptions':{'X':1}}]}}",
                -EPERM, "HostConfig.Mounts[0].BindOptions");
        REFUSED("{'Image':'x','NetworkingConfig':{'EndpointsConfig':{'n':{'Frobnicate':1}}}}", -EPERM,
                "NetworkingConfig.EndpointsConfig[\"n\"]");
        REFUSED("{'Image':'x','Healthcheck':{'Test':[],'Foo':1}}", -EPERM, "Healthcheck");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'Type':'tmpfs','Target':'/t','ClusterOptions':{'a':1}}]}}", -EPERM,
                "ClusterOptions");
        /* keys that are no plain words: refused, quoted safely */
        REFUSED("{'Image':'x','Bad\\n\\'Key':1}", -EPERM, "Bad??Key");
        /* a long key is cut short, never inside a character */
        _cleanup_free_ char *longkey = NULL;
        struct berth_error e;
        struct container_spec ls = { 0 };
        ck_assert_int_ge(asprintf(&longkey, "{\"Image\":\"x\",\"a%s\":1}",
                                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"),
                         0);
        int lr = api_create_parse(longkey, strlen(longkey), &ls, NULL, &e);
        expect_refused_at(__FILE__, __LINE__, lr, &e, -EPERM, "...\" at the top level");
        _cleanup_json_ json_t *valid = json_string(e.message); /* NULL: not UTF-8 */
        ck_assert_ptr_nonnull(valid);
        /* keys of maps are data: any spelling */
        struct container_spec s;
        PARSE_OK("{'Image':'x','Labels':{'caf\\u00e9':'1','a&b':'2','privileged':'3'},'HostConfig':{'Sysctls':{'Net.X':'1'}}}",
                 &s, NULL);
        ck_assert_str_eq(s.labels[0], "caf\xc3\xa9=1");
        container_spec_done(&s);
        /* escapes in values are values */
        PARSE_OK("{'Image':'\\u0061lpine','Env':['A=\\u0041']}", &s, NULL);
        ck_assert_str_eq(s.image, "alpine");
        container_spec_done(&s);
}
END_TEST

START_TEST(test_refused_types) {
        REFUSED("{'Image':1}", -EINVAL, "Image must be a string");
        REFUSED("{'Image':'x','HostConfig':{'Privileged':'true'}}", -EINVAL, "HostConfig.Privileged must be true or false");
        REFUSED("{'Image':'x','HostConfig':{'Privileged':1}}", -EINVAL, "true or false");
        REFUSED("{'Image':'x','Env':'A=1'}", -EINVAL, "Env must be a list of strings");
        REFUSED("{'Image':'x','Env':['A=1',null]}", -EINVAL, "a list of strings");
        REFUSED("{'Image':'x','Env':[1]}", -EINVAL, "a list of strings");
        REFUSED("{'Image':'x','HostConfig':{'Memory':1.5}}", -EINVAL, "HostConfig.Memory must be a whole number");
        REFUSED("{'Image':'x','HostConfig':{'Memory':1e9}}", -EINVAL, "whole number");
        REFUSED("{'Image':'x','HostConfig':{'Memory':'1g'}}", -EINVAL, "whole number");
        REFUSED("{'Image':'x','HostConfig':{'Memory':-1}}", -EINVAL, "negative");
        REFUSED("{'Image':'x','HostConfig':{'MemorySwap':-2}}", -EINVAL, "MemorySwap");
        REFUSED("{'Image':'x','HostConfig':{'BlkioWeight':70000}}", -EINVAL, "0 to 65535");
        REFUSED("{'Image':'x','HostConfig':{'IOMaximumIOps':-1}}", -EINVAL, "0 or more");
        REFUSED("{'Image':'x','HostConfig':{'OomScoreAdj':5000}}", -EINVAL, "OomScoreAdj");
        REFUSED("{'Image':'x','Labels':{'a':1}}", -EINVAL, "Labels must be an object whose values are strings");
        REFUSED("{'Image':'x','Labels':{'a':null}}", -EINVAL, "Labels");
        REFUSED("{'Image':'x','Labels':['a=1']}", -EINVAL, "Labels");
        REFUSED("{'Image':'x','Volumes':{'/x':1}}", -EINVAL, "Volumes must be an object whose values are {}");
        REFUSED("{'Image':'x','Volumes':{'/x':{'a':1}}}", -EINVAL, "Volumes");
        REFUSED("{'Image':'x','Cmd':{'a':1}}", -EINVAL, "Cmd must be a string or a list of strings");
        REFUSED("{'Image':'x','HostConfig':{'CapAdd':1}}", -EINVAL, "CapAdd");
        REFUSED("{'Image':'x','HostConfig':{'Binds':[null]}}", -EINVAL, "HostConfig.Binds");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[1]}}", -EINVAL, "HostConfig.Mounts[0] must be an object");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[null]}}", -EINVAL, "HostConfig.Mounts[0] must be an object");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':{}}}", -EINVAL, "HostConfig.Mounts must be a list of objects");
        REFUSED("{'Image':'x','HostConfig':{'PortBindings':{'80/tcp':'8080'}}}", -EINVAL, "list of port bindings");
        REFUSED("{'Image':'x','HostConfig':{'PortBindings':{'80/tcp':[{'HostPort':8080}]}}}", -EINVAL, "HostPort must be a string");
        REFUSED("{'Image':'x','HostConfig':{'ConsoleSize':[1,2,3]}}", -EINVAL, "ConsoleSize");
        REFUSED("{'Image':'x','HostConfig':{'ConsoleSize':[-1,2]}}", -EINVAL, "ConsoleSize");
        REFUSED("{'Image':'x','HostConfig':{'LogConfig':'json-file'}}", -EINVAL, "HostConfig.LogConfig must be an object");
        REFUSED("{'Image':'x','HostConfig':{'DeviceRequests':[{'Capabilities':['gpu']}]}}", -EINVAL, "list of lists");
        REFUSED("{'Image':'x','NetworkingConfig':{'EndpointsConfig':{'n':1}}}", -EINVAL, "EndpointsConfig[\"n\"] must be an object");
        REFUSED("{'Image':'x','NetworkingConfig':{'EndpointsConfig':{'n':null}}}", -EINVAL, "must be an object");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'Type':'tmpfs','Target':'/t','TmpfsOptions':{'Mode':-1}}]}}", -EINVAL,
                "Mode");
        /* values that do not parse as Docker's */
        REFUSED("{'HostConfig':{}}", -EINVAL, "needs an \"Image\"");
        REFUSED("{'Image':''}", -EINVAL, "Image");
        REFUSED("{'Image':'x','HostConfig':{'Binds':['relative/x:/y']}}", -EINVAL, "neither an absolute host path nor a volume name");
        REFUSED("{'Image':'x','HostConfig':{'Binds':['~/x:/y']}}", -EINVAL, "'~'");
        REFUSED("{'Image':'x','HostConfig':{'Binds':['/a:/b:ro:x']}}", -EINVAL, "SOURCE:TARGET");
        REFUSED("{'Image':'x','HostConfig':{'Binds':['/a:rel']}}", -EINVAL, "absolute");
        REFUSED("{'Image':'x','HostConfig':{'Binds':['/a::/b']}}", -EINVAL, "empty part");
        REFUSED("{'Image':'x','HostConfig':{'Binds':['']}}", -EINVAL, "empty part");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'Type':'bind','Source':'rel','Target':'/y'}]}}", -EINVAL, "absolute host path");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'Type':'bind','Target':'/y'}]}}", -EINVAL, "absolute host path");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'Type':'volume','Source':'/etc','Target':'/y'}]}}", -EINVAL,
                "not a volume name");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'Source':'/x','Target':'/y'}]}}", -EINVAL, "no Type");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'Type':'bind','Source':'/x'}]}}", -EINVAL, "Target");
        REFUSED("{'Image':'x','HostConfig':{'Tmpfs':{'t':''}}}", -EINVAL, "absolute");
        REFUSED("{'Image':'x','Volumes':{'v':{}}}", -EINVAL, "absolute");
        REFUSED("{'Image':'x','HostConfig':{'Devices':[{'PathInContainer':'/dev/x'}]}}", -EINVAL, "PathOnHost");
        REFUSED("{'Image':'x','HostConfig':{'VolumesFrom':['']}}", -EINVAL, "names no container");
        REFUSED("{'Image':'x','HostConfig':{'PidMode':'container:'}}", -EINVAL, "names no container");
        REFUSED("{'Image':'x','HostConfig':{'PortBindings':{'80:22/tcp':[{'HostPort':'8080'}]}}}", -EINVAL, "not a port");
        REFUSED("{'Image':'x','HostConfig':{'PortBindings':{'80/tcp':[{'HostPort':'80:1'}]}}}", -EINVAL, "HostPort");
        REFUSED("{'Image':'x','HostConfig':{'Ulimits':[{'Soft':1}]}}", -EINVAL, "no Name");
        REFUSED("{'Image':'x','HostConfig':{'DeviceRequests':[{'Count':1,'DeviceIDs':['0'],'Capabilities':[['gpu']]}]}}", -EINVAL,
                "both Count and DeviceIDs");
        REFUSED("{'Image':'x','HostConfig':{'DeviceRequests':[{'Count':-2,'Capabilities':[['gpu']]}]}}", -EINVAL, "Count");
        REFUSED("{'Image':'x','HostConfig':{'DeviceRequests':[{'Count':1}]}}", -EINVAL, "neither a driver nor capabilities");
        REFUSED("{'Image':'x','HostConfig':{'DeviceRequests':[{'Count':1,'Capabilities':[[]]}]}}", -EINVAL, "empty");
}
END_TEST

START_TEST(test_refused_fields) {
        /* what the spec has no slot for and would weaken isolation */
        REFUSED("{'Image':'x','HostConfig':{'MaskedPaths':[]}}", -EPERM, "HostConfig.MaskedPaths is not allowed");
        REFUSED("{'Image':'x','HostConfig':{'MaskedPaths':['/proc/kcore']}}", -EPERM, "unmask");
        REFUSED("{'Image':'x','HostConfig':{'ReadonlyPaths':[]}}", -EPERM, "HostConfig.ReadonlyPaths");
        REFUSED("{'Image':'x','HostConfig':{'KernelMemory':1048576}}", -EPERM, "HostConfig.KernelMemory");
        REFUSED("{'Image':'x','HostConfig':{'KernelMemoryTCP':1}}", -EPERM, "KernelMemoryTCP");
        REFUSED("{'Image':'x','HostConfig':{'CpuCount':2}}", -EPERM, "Windows");
        REFUSED("{'Image':'x','HostConfig':{'CpuPercent':50}}", -EPERM, "Windows");
        REFUSED("{'Image':'x','HostConfig':{'IOMaximumIOps':5}}", -EPERM, "Windows");
        REFUSED("{'Image':'x','HostConfig':{'IOMaximumBandwidth':5}}", -EPERM, "Windows");
        REFUSED("{'Image':'x','HostConfig':{'Isolation':'hyperv'}}", -EPERM, "Isolation");
        REFUSED("{'Image':'x','HostConfig':{'Cgroup':'container:bobc'}}", -EPERM, "HostConfig.Cgroup");
        REFUSED("{'Image':'x','HostConfig':{'BlkioWeightDevice':[{'Path':'/dev/sda','Weight':10}]}}", -EPERM,
                "HostConfig.BlkioWeightDevice");
        REFUSED("{'Image':'x','HostConfig':{'BlkioDeviceReadBps':[{'Path':'/root/.ssh/id_rsa','Rate':1}]}}", -EPERM,
                "as root");
        REFUSED("{'Image':'x','HostConfig':{'BlkioDeviceWriteIOps':[{'Path':'/dev/sda','Rate':1}]}}", -EPERM, "BlkioDeviceWriteIOps");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'Type':'bind','Source':'/home/alice/new','Target':'/y',"
                "'BindOptions':{'CreateMountpoint':true}}]}}",
                -EPERM, "HostConfig.Mounts[0].BindOptions.CreateMountpoint");
        REFUSED("{'Image':'x','HostConfig':{'Mounts':[{'Type':'volume','Source':'vol','Target':'/y',"
                "'VolumeOptions':{'Labels':{'Berth.User':'bob'}}}]}}",
                -EPERM, "berth's own");
        /* device requests that are not GPUs */
        REFUSED("{'Image':'x','HostConfig':{'DeviceRequests':[{'Driver':'cdi','DeviceIDs':['nvidia.com/gpu=all']}]}}", -EPERM,
                "driver 'cdi'");
        REFUSED("{'Image':'x','HostConfig':{'DeviceRequests':[{'Count':1,'Capabilities':[['gpu','rdma']]}]}}", -EPERM, "'rdma'");
        REFUSED("{'Image':'x','HostConfig':{'DeviceRequests':[{'Count':1,'Capabilities':[['gpu']]},{'Count':1,'Capabilities':[['gpu']]}]}}",
                -EPERM, "more than one");
}
END_TEST

START_TEST(test_refused_bodies) {
        struct container_spec s = { .n_mounts = 99 };
        json_t *doc = (json_t *) &s;
        struct berth_error err;
        int r;

        REFUSED("{'Image':'x'} x", -EINVAL, "not valid JSON");
        REFUSED("{'Image':'x'}{}", -EINVAL, "not valid JSON");
        REFUSED("{'Image':'x'", -EINVAL, "not valid JSON");
        REFUSED("[]", -EINVAL, NULL);
        REFUSED("['Image']", -EINVAL, NULL);
        REFUSED("'x'", -EINVAL, NULL);
        REFUSED("null", -EINVAL, NULL);
        REFUSED("1", -EINVAL, NULL);
        REFUSED("\xef\xbb\xbf{'Image':'x'}", -EINVAL, "not valid JSON");
        REFUSED("{'Image':'\xff'}", -EINVAL, "not valid JSON");
        REFUSED("{'Image':'\\u0000'}", -EINVAL, "not valid JSON");
        REFUSED("{'Image':'\\ud800'}", -EINVAL, "not valid JSON");
        REFUSED("{'Image':'x','HostConfig':{'Memory':99999999999999999999}}", -EINVAL, "not valid JSON");

        /* trailing white space is fine */
        PARSE_OK(" {'Image':'x'} \r\n\t", &s, NULL);
        container_spec_done(&s);

        s = (struct container_spec) { .n_mounts = 99 };
        r = api_create_parse("", 0, &s, &doc, &err);
        expect_refused_at(__FILE__, __LINE__, r, &err, -EINVAL, "no body");
        r = api_create_parse(NULL, 0, &s, &doc, &err);
        expect_refused_at(__FILE__, __LINE__, r, &err, -EINVAL, "no body");
        r = api_create_parse("{\"Image\":\"x\"}\0", 15, &s, &doc, &err);
        expect_refused_at(__FILE__, __LINE__, r, &err, -EINVAL, "NUL");

        /* 1 MiB at most */
        size_t big = API_BODY_MAX + 1;
        _cleanup_free_ char *b = malloc(big);
        ck_assert_ptr_nonnull(b);
        memset(b, ' ', big);
        memcpy(b, "{\"Image\":\"x\"}", 13);
        r = api_create_parse(b, big, &s, &doc, &err);
        expect_refused_at(__FILE__, __LINE__, r, &err, -E2BIG, "1 MiB");
        r = api_create_parse(b, API_BODY_MAX, &s, &doc, &err);
        ck_assert_int_eq(r, 0);
        ck_assert_ptr_nonnull(doc);
        json_decref(doc);
        container_spec_done(&s);

        /* deep nesting is refused, not a crash */
        size_t depth = 100000;
        _cleanup_free_ char *deep = malloc(depth * 2 + 64);
        ck_assert_ptr_nonnull(deep);
        size_t n = (size_t) sprintf(deep, "{\"Image\":\"x\",\"Cmd\":");
        for (size_t i = 0; i < depth; i++)
                deep[n++] = '[';
        for (size_t i = 0; i < depth; i++)
                deep[n++] = ']';
        deep[n++] = '}';
        s = (struct container_spec) { 0 };
        r = api_create_parse(deep, n, &s, NULL, &err);
        ck_assert_int_eq(r, -EINVAL);
}
END_TEST

/* ---- the body forwarded ---------------------------------------------------------- */

#define INJECT_GPU                                                                                                  \
        "{'name':'train._.alice','labels':{'berth.managed':'true','berth.user':'alice','berth.uid':'1000',"         \
        "'berth.project':'thesis','berth.gpus':'GPU-a,GPU-b','berth.seal':'s'},'cgroup_parent':'berth-students-alice.slice'," \
        "'gpus':'device=GPU-a,GPU-b','env':{'NVIDIA_VISIBLE_DEVICES':'GPU-a,GPU-b'},'cpus':4.0,'memory':17179869184,"       \
        "'cpuset_cpus':'0-7','cpuset_mems':'0'}"

#define INJECT_CPU                                                                                                  \
        "{'name':'train._.alice','labels':{'berth.managed':'true','berth.user':'alice'},"                           \
        "'cgroup_parent':'berth-students-alice.slice','env':{'NVIDIA_VISIBLE_DEVICES':'void'},'cpus':0.5,"           \
        "'memory':17179869184}"

static json_t *json_of(const char *text) {
        _cleanup_free_ char *b = body_of(text);
        json_error_t e;
        json_t *j = json_loads(b, JSON_REJECT_DUPLICATES, &e);
        ck_assert_msg(j, "%s: %s", b, e.text);
        return j;
}

/* Parse body, rewrite with inject (and owner), return the forwarded body
 * parsed; the document itself stays as it was. */
static json_t *rewrite(const char *body, const char *inject_text, const struct api_owner *owner,
                       void (*adjust)(struct container_spec *s)) {
        struct container_spec s;
        _cleanup_json_ json_t *doc = NULL, *inject = json_of(inject_text);
        _cleanup_free_ char *out = NULL, *before = NULL, *after = NULL;
        json_error_t e;

        PARSE_OK(body, &s, &doc);
        if (adjust)
                adjust(&s);
        before = json_dumps(doc, JSON_COMPACT);
        ck_assert_int_eq(api_create_rewrite(doc, &s, inject, owner, &out), 0);
        after = json_dumps(doc, JSON_COMPACT);
        ck_assert_str_eq(before, after);
        ck_assert_msg(!strchr(out, '\n') && !strstr(out, ": "), "not compact: %s", out);
        container_spec_done(&s);

        /* what berth forwards is itself a body berth takes */
        struct berth_error err;
        ck_assert_msg(api_create_parse(out, strlen(out), &s, NULL, &err) == 0, "%s: %s", out, err.message);
        ck_assert_str_eq(s.cgroup_parent, "berth-students-alice.slice");
        container_spec_done(&s);
        json_t *j = json_loads(out, JSON_REJECT_DUPLICATES, &e);
        ck_assert_ptr_nonnull(j);
        return j;
}

static const char *label(json_t *j, const char *key) {
        return json_string_value(json_object_get(json_object_get(j, "Labels"), key));
}

static json_t *hc(json_t *j) {
        return json_object_get(j, "HostConfig");
}

START_TEST(test_rewrite_labels_and_inject) {
        _cleanup_json_ json_t *j = rewrite(
                "{'Image':'x','Labels':{'berth.user':'bob','Berth.User':'bob','BERTH.GPUS':'GPU-z',' berth.seal':'x',"
                "'berth.project':'mine','app':'1','berthx':'2'},'Env':['A=1','NVIDIA_VISIBLE_DEVICES=all',"
                "'CUDA_VISIBLE_DEVICES=0','NVIDIA_MIG_CONFIG_DEVICES=all','B'],'HostConfig':{'CgroupParent':'/evil',"
                "'DeviceRequests':[{'Count':-1,'Capabilities':[['gpu','compute']],'Options':{'a':'b'}}]}}",
                INJECT_GPU, NULL, NULL);
        json_t *labels = json_object_get(j, "Labels");
        const char *key;
        json_t *v;
        size_t berths = 0;
        json_object_foreach(labels, key, v)
                if (strncasecmp(key, "berth.", 6) == 0 || strncasecmp(key, " berth.", 7) == 0)
                        berths++;
        ck_assert_uint_eq(berths, 6); /* the inject's, no other */
        ck_assert_str_eq(label(j, "berth.user"), "alice");
        ck_assert_str_eq(label(j, "berth.project"), "thesis");
        ck_assert_str_eq(label(j, "berth.gpus"), "GPU-a,GPU-b");
        ck_assert_ptr_null(label(j, "Berth.User"));
        ck_assert_ptr_null(label(j, "BERTH.GPUS"));
        ck_assert_ptr_null(label(j, " berth.seal"));
        ck_assert_str_eq(label(j, "app"), "1");
        ck_assert_str_eq(label(j, "berthx"), "2");
        ck_assert_str_eq(json_string_value(json_object_get(hc(j), "CgroupParent")), "berth-students-alice.slice");

        /* one GPU request, for the reserved UUIDs */
        json_t *reqs = json_object_get(hc(j), "DeviceRequests");
        ck_assert_uint_eq(json_array_size(reqs), 1);
        _cleanup_free_ char *req = json_dumps(json_array_get(reqs, 0), JSON_COMPACT);
        ck_assert_str_eq(req, "{\"Driver\":\"\",\"Count\":0,\"DeviceIDs\":[\"GPU-a\",\"GPU-b\"],\"Capabilities\":[[\"gpu\"]],\"Options\":{}}");

        /* the user's GPU variables gone, the reservation's appended */
        _cleanup_free_ char *env = json_dumps(json_object_get(j, "Env"), JSON_COMPACT);
        ck_assert_str_eq(env, "[\"A=1\",\"B\",\"NVIDIA_VISIBLE_DEVICES=GPU-a,GPU-b\"]");

        /* the defaults, where the user set none */
        ck_assert_int_eq(json_integer_value(json_object_get(hc(j), "NanoCpus")), 4000000000LL);
        ck_assert_int_eq(json_integer_value(json_object_get(hc(j), "Memory")), 17179869184LL);
        ck_assert_str_eq(json_string_value(json_object_get(hc(j), "CpusetCpus")), "0-7");
        ck_assert_str_eq(json_string_value(json_object_get(hc(j), "CpusetMems")), "0");
        ck_assert_ptr_null(json_object_get(j, "User"));
        ck_assert_ptr_null(json_object_get(hc(j), "GroupAdd"));
}
END_TEST

START_TEST(test_rewrite_defaults) {
        /* no GPU: no request at all; the user's limits stay */
        _cleanup_json_ json_t *j = rewrite(
                "{'Image':'x','HostConfig':{'NanoCpus':2000000000,'Memory':1073741824,'CpusetCpus':'1',"
                "'DeviceRequests':[{'Count':1,'Capabilities':[['gpu']]}]}}",
                INJECT_GPU, NULL, NULL);
        ck_assert_int_eq(json_integer_value(json_object_get(hc(j), "NanoCpus")), 2000000000LL);
        ck_assert_int_eq(json_integer_value(json_object_get(hc(j), "Memory")), 1073741824LL);
        ck_assert_str_eq(json_string_value(json_object_get(hc(j), "CpusetCpus")), "1");
        ck_assert_ptr_null(json_object_get(hc(j), "CpusetMems")); /* both or neither, as the wrapper */
        json_decref(j);

        j = rewrite("{'Image':'x','HostConfig':{'DeviceRequests':[{'Count':1,'Capabilities':[['gpu']]}],'CpusetMems':'0'}}",
                    INJECT_CPU, NULL, NULL);
        ck_assert_ptr_null(json_object_get(hc(j), "DeviceRequests"));
        ck_assert_int_eq(json_integer_value(json_object_get(hc(j), "NanoCpus")), 500000000LL);
        ck_assert_ptr_null(json_object_get(hc(j), "CpusetCpus"));
        _cleanup_free_ char *env = json_dumps(json_object_get(j, "Env"), JSON_COMPACT);
        ck_assert_str_eq(env, "[\"NVIDIA_VISIBLE_DEVICES=void\"]");
        ck_assert_str_eq(label(j, "berth.user"), "alice");
        json_decref(j);

        /* no HostConfig at all: one is made */
        j = rewrite("{'Image':'x','HostConfig':null,'Labels':null,'Env':null}", INJECT_CPU, NULL, NULL);
        ck_assert_str_eq(json_string_value(json_object_get(hc(j), "CgroupParent")), "berth-students-alice.slice");
        ck_assert_int_eq(json_integer_value(json_object_get(hc(j), "Memory")), 17179869184LL);
}
END_TEST

static void resolve_links(struct container_spec *s) {
        for (size_t i = 0; i < s->n_mounts; i++) {
                struct spec_mount *m = &s->mounts[i];
                if (m->kind == SPEC_MOUNT_BIND && m->source && strstr(m->source, "/link")) {
                        ck_assert_int_ge(asprintf(&m->resolved, "/home/alice/real%s", strstr(m->source, "/link") + 5), 0);
                } else if (m->kind == SPEC_MOUNT_BIND && m->source)
                        m->resolved = strdup(m->source);
                for (char **o = m->volume_opts; o && *o; o++)
                        if (streq(*o, "device=/home/alice/vlink")) {
                                free(*o);
                                *o = strdup("device=/home/alice/vreal");
                        }
        }
        /* a volume's options as Docker reports them for an existing volume */
        if (s->n_mounts > 3)
                ck_assert_int_ge(strv_push(&s->mounts[3].volume_opts, "extra=1"), 0);
        for (size_t i = 0; i < s->n_devices; i++)
                s->devices[i].resolved = strdup(streq(s->devices[i].path, "/dev/fuse-link") ? "/dev/fuse" : s->devices[i].path);
}

START_TEST(test_rewrite_owner_and_resolved) {
        static const gid_t gids[] = { 1000, 27, 100, 27 };
        struct api_owner owner = { .uid = 1000, .gid = 1000, .gids = gids, .n_gids = ELEMENTSOF(gids) };
        _cleanup_json_ json_t *j = rewrite(
                "{'Image':'x','User':'0','HostConfig':{'Binds':['/home/alice/link/a:/a:ro','/home/alice/plain:/p','vol:/v','/anon'],"
                "'Mounts':[{'Type':'bind','Source':'/home/alice/link','Target':'/m','ReadOnly':true},"
                "{'Type':'volume','Source':'vol','Target':'/vol','VolumeOptions':{'DriverConfig':{'Name':'local',"
                "'Options':{'type':'none','o':'bind','device':'/home/alice/vlink'}}}}],"
                "'Devices':[{'PathOnHost':'/dev/fuse-link','PathInContainer':'/dev/fuse','CgroupPermissions':'rwm'}],"
                "'GroupAdd':['0'],'SecurityOpt':['no-new-privileges']}}",
                INJECT_CPU, &owner, resolve_links);
        ck_assert_str_eq(json_string_value(json_object_get(j, "User")), "1000:1000");
        _cleanup_free_ char *groups = json_dumps(json_object_get(hc(j), "GroupAdd"), JSON_COMPACT);
        ck_assert_str_eq(groups, "[\"27\",\"100\"]");
        _cleanup_free_ char *secopt = json_dumps(json_object_get(hc(j), "SecurityOpt"), JSON_COMPACT);
        ck_assert_str_eq(secopt, "[\"no-new-privileges\"]");
        _cleanup_free_ char *binds = json_dumps(json_object_get(hc(j), "Binds"), JSON_COMPACT);
        ck_assert_str_eq(binds, "[\"/home/alice/real/a:/a:ro\",\"/home/alice/plain:/p\",\"vol:/v\",\"/anon\"]");
        json_t *mounts = json_object_get(hc(j), "Mounts");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(mounts, 0), "Source")), "/home/alice/real");
        _cleanup_free_ char *opts = json_dumps(
                json_object_get(json_object_get(json_object_get(json_array_get(mounts, 1), "VolumeOptions"), "DriverConfig"),
                                "Options"),
                JSON_COMPACT);
        ck_assert_str_eq(opts, "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/home/alice/vreal\"}");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(hc(j), "Devices"), 0), "PathOnHost")),
                         "/dev/fuse");
        json_decref(j);

        /* no-new-privileges is added once; the user's other options stay */
        j = rewrite("{'Image':'x','HostConfig':{'SecurityOpt':['label=disable']}}", INJECT_CPU, &owner, NULL);
        _cleanup_free_ char *s2 = json_dumps(json_object_get(hc(j), "SecurityOpt"), JSON_COMPACT);
        ck_assert_str_eq(s2, "[\"label=disable\",\"no-new-privileges\"]");
}
END_TEST

static void resolve_colon(struct container_spec *s) {
        s->mounts[0].resolved = strdup("/home/alice/a:/etc");
}

static void drop_mount(struct container_spec *s) {
        spec_mount_done(&s->mounts[--s->n_mounts]);
}

START_TEST(test_rewrite_refused) {
        struct container_spec s;
        _cleanup_json_ json_t *doc = NULL, *good = json_of(INJECT_CPU);
        char *out = NULL;

        PARSE_OK("{'Image':'x','HostConfig':{'Binds':['/home/alice/l:/x']}}", &s, &doc);
        static const char *const bad[] = {
                "{'labels':{},'cgroup_parent':'p'}",                   /* no name */
                "{'name':'n','labels':{}}",                            /* no cgroup parent */
                "{'name':'n','cgroup_parent':'p','labels':{'a':1}}",   /* a label that is no string */
                "{'name':'n','cgroup_parent':'p','env':[]}",
                "{'name':'n','cgroup_parent':'p','gpus':'all'}",       /* not UUIDs */
                "[]",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_json_ json_t *inject = json_of(bad[i]);
                ck_assert_int_eq(api_create_rewrite(doc, &s, inject, NULL, &out), -EBADMSG);
                ck_assert_ptr_null(out);
        }
        ck_assert_int_eq(api_create_rewrite(doc, &s, NULL, NULL, &out), -EBADMSG);
        /* a resolved source a Binds entry cannot say */
        resolve_colon(&s);
        ck_assert_int_eq(api_create_rewrite(doc, &s, good, NULL, &out), -EINVAL);
        ck_assert_ptr_null(out);
        /* a spec that is not this document's */
        drop_mount(&s);
        ck_assert_int_eq(api_create_rewrite(doc, &s, good, NULL, &out), -EINVAL);
        ck_assert_ptr_null(out);
        container_spec_done(&s);
}
END_TEST

/* ---- exec and update ------------------------------------------------------------- */

static int exec_parse(const char *text, struct api_exec *x, json_t **doc, struct berth_error *err) {
        _cleanup_free_ char *b = body_of(text);
        *err = (struct berth_error) { 0 };
        return api_exec_parse(b, strlen(b), x, doc, err);
}

START_TEST(test_exec) {
        struct api_exec x;
        struct berth_error err;
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *out = NULL, *same = NULL;
        struct policy_verdict v;

        /* what the docker CLI sends for docker exec -it -u 0 --privileged c sh */
        ck_assert_int_eq(exec_parse("{'User':'0','Privileged':true,'Tty':true,'ConsoleSize':[24,80],'AttachStdin':true,"
                                    "'AttachStderr':true,'AttachStdout':true,'Detach':false,'DetachKeys':'','Env':['A=1'],"
                                    "'WorkingDir':'','Cmd':['sh']}",
                                    &x, &doc, &err),
                         0);
        ck_assert_str_eq(x.user, "0");
        ck_assert(x.privileged);
        ck_assert_str_eq(x.env[0], "A=1");
        ck_assert_int_eq(policy_check_exec(&alice, x.user, x.privileged, NULL, true, &v), 0);
        ck_assert(!v.allowed && streq(v.rule, "host-path-user"));
        policy_verdict_done(&v);
        ck_assert_int_eq(policy_check_exec(&alice, x.user, false, NULL, false, &v), 0);
        ck_assert(v.allowed);
        policy_verdict_done(&v);

        struct api_owner owner = { .uid = 1000, .gid = 100 };
        ck_assert_int_eq(api_exec_rewrite(doc, &owner, &out), 0);
        _cleanup_json_ json_t *j = json_loads(out, 0, NULL);
        ck_assert_str_eq(json_string_value(json_object_get(j, "User")), "1000:100");
        ck_assert(json_is_true(json_object_get(j, "Privileged")));
        ck_assert_int_eq(api_exec_rewrite(doc, NULL, &same), 0);
        ck_assert(strstr(same, "\"User\":\"0\""));
        api_exec_done(&x);

        ck_assert_int_eq(exec_parse("{'Cmd':['ls']}", &x, NULL, &err), 0);
        ck_assert_ptr_null(x.user);
        ck_assert(!x.privileged);
        ck_assert_ptr_null(x.env);
        api_exec_done(&x);

        /* what docker-py 5 sends for exec_run: the old Container key, Env null */
        ck_assert_int_eq(exec_parse("{'Container':'c','User':'','Privileged':false,'Tty':false,'AttachStdin':false,"
                                    "'AttachStdout':true,'AttachStderr':true,'Cmd':['echo','x'],'Env':null}",
                                    &x, NULL, &err),
                         0);
        ck_assert_ptr_null(x.env);
        api_exec_done(&x);

        static const struct {
                const char *body;
                int code;
                const char *needle;
        } bad[] = {
                { "{'privileged':true,'Cmd':['sh']}", -EPERM, "\"Privileged\"" },
                { "{'Privileged':false,'Privileged':true}", -EPERM, "twice" },
                { "{'Privil\\u0065ged':true}", -EPERM, "\\u escape" },
                { "{'Cmd':['sh'],'Foo':1}", -EPERM, "not one berth knows" },
                { "{'Cmd':'sh'}", -EINVAL, "Cmd must be a list of strings" },
                { "{'User':0}", -EINVAL, "User must be a string" },
                { "{'Env':'A=1'}", -EINVAL, "Env" },
                { "[]", -EINVAL, NULL },
                { "{} x", -EINVAL, "not valid JSON" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                x = (struct api_exec) { .privileged = true };
                int r = exec_parse(bad[i].body, &x, NULL, &err);
                expect_refused_at(bad[i].body, (int) i, r, &err, bad[i].code, bad[i].needle);
                ck_assert(x.privileged && !x.user);
        }
}
END_TEST

static int update_parse(const char *text, struct container_spec *s, struct berth_error *err) {
        _cleanup_free_ char *b = body_of(text);
        *err = (struct berth_error) { 0 };
        return api_update_parse(b, strlen(b), s, NULL, err);
}

START_TEST(test_update) {
        struct container_spec s;
        struct berth_error err;
        struct policy_verdict v;

        /* what the docker CLI sends for docker update --cpus 2 -m 1g c */
        ck_assert_int_eq(update_parse("{'CpuShares':0,'Memory':1073741824,'NanoCpus':2000000000,'CgroupParent':'','BlkioWeight':0,"
                                      "'BlkioWeightDevice':null,'BlkioDeviceReadBps':null,'BlkioDeviceWriteBps':null,"
                                      "'BlkioDeviceReadIOps':null,'BlkioDeviceWriteIOps':null,'CpuPeriod':0,'CpuQuota':0,"
                                      "'CpuRealtimePeriod':0,'CpuRealtimeRuntime':0,'CpusetCpus':'','CpusetMems':'',"
                                      "'Devices':null,'DeviceCgroupRules':null,'DeviceRequests':null,'KernelMemory':0,"
                                      "'KernelMemoryTCP':0,'MemoryReservation':0,'MemorySwap':0,'MemorySwappiness':null,"
                                      "'OomKillDisable':null,'PidsLimit':null,'Ulimits':null,'CpuCount':0,'CpuPercent':0,"
                                      "'IOMaximumIOps':0,'IOMaximumBandwidth':0,'RestartPolicy':{'Name':'','MaximumRetryCount':0}}",
                                      &s, &err),
                         0);
        ck_assert(s.cpus_given && fabs(s.cpus - 2) < 1e-12);
        ck_assert(s.memory_given && s.memory == GIB);
        ck_assert(!s.cpu_quota_given && !s.memory_swap_given && !s.cpu_shares_given);
        ck_assert_ptr_null(s.image);
        ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, &v), 0);
        ck_assert_msg(v.allowed, "%s", v.reason);
        policy_verdict_done(&v);
        container_spec_done(&s);

        /* the rules docker update meets through the wrapper */
        static const struct {
                const char *body, *rule;
        } judged[] = {
                { "{'NanoCpus':8000000000}", "cpus" },
                { "{'Memory':17179869184}", "memory" },
                { "{'CpuQuota':50000}", "cpu-quota" },
                { "{'CpuRealtimePeriod':1}", "cpu-quota" },
                { "{'MemorySwap':-1}", "memory-swap" },
                { "{'CpuShares':1}", "cpu-shares" },
                { "{'CpusetCpus':'0-99'}", "cpuset" },
                { "{'CpusetCpus':'0-3','CpusetMems':'0','PidsLimit':100,'BlkioWeight':300,'MemoryReservation':1,"
                  "'MemorySwappiness':5,'RestartPolicy':{'Name':'on-failure','MaximumRetryCount':3}}",
                  NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(judged); i++) {
                ck_assert_msg(update_parse(judged[i].body, &s, &err) == 0, "%s: %s", judged[i].body, err.message);
                ck_assert_int_eq(policy_check(cfg, &ru, &alice, &s, &v), 0);
                ck_assert_msg(streq_ptr(v.rule, judged[i].rule), "%s: rule %s (%s)", judged[i].body, strnull(v.rule),
                              v.reason);
                policy_verdict_done(&v);
                container_spec_done(&s);
        }

        static const struct {
                const char *body;
                int code;
                const char *needle;
        } bad[] = {
                { "{'KernelMemory':1}", -EPERM, "KernelMemory" },
                { "{'CgroupParent':'/'}", -EPERM, "CgroupParent cannot be changed by docker update" },
                { "{'Devices':[{'PathOnHost':'/dev/mem'}]}", -EPERM, "Devices" },
                { "{'DeviceRequests':[{'Count':-1,'Capabilities':[['gpu']]}]}", -EPERM, "DeviceRequests" },
                { "{'DeviceCgroupRules':['a *:* rwm']}", -EPERM, "DeviceCgroupRules" },
                { "{'Ulimits':[{'Name':'nofile','Soft':1,'Hard':1}]}", -EPERM, "Ulimits" },
                { "{'OomKillDisable':true}", -EPERM, "OomKillDisable" },
                { "{'CpuCount':1}", -EPERM, "Windows" },
                { "{'BlkioWeightDevice':[{'Path':'/dev/sda','Weight':1}]}", -EPERM, "BlkioWeightDevice" },
                { "{'Privileged':true}", -EPERM, "not one berth knows" },
                { "{'memory':1}", -EPERM, "\"Memory\"" },
                { "{'Memory':'1g'}", -EINVAL, "whole number" },
                { "{'RestartPolicy':{'name':'always'}}", -EPERM, "\"Name\"" },
                { "{'Memory':1,'Memory':2}", -EPERM, "twice" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                s = (struct container_spec) { .n_mounts = 99 };
                int r = update_parse(bad[i].body, &s, &err);
                expect_refused_at(bad[i].body, (int) i, r, &err, bad[i].code, bad[i].needle);
                ck_assert(s.n_mounts == 99);
        }
}
END_TEST

Suite *api_spec_suite(void) {
        Suite *s = suite_create("api_spec");
        TCase *tc = tcase_create("parse");
        tcase_add_checked_fixture(tc, setup_config, teardown_config);
        tcase_add_test(tc, test_same_verdict);
        tcase_add_test(tc, test_cli_body);
        tcase_add_test(tc, test_spec_fields);
        tcase_add_test(tc, test_refused_keys);
        tcase_add_test(tc, test_refused_types);
        tcase_add_test(tc, test_refused_fields);
        tcase_add_test(tc, test_refused_bodies);
        suite_add_tcase(s, tc);

        tc = tcase_create("rewrite");
        tcase_add_test(tc, test_rewrite_labels_and_inject);
        tcase_add_test(tc, test_rewrite_defaults);
        tcase_add_test(tc, test_rewrite_owner_and_resolved);
        tcase_add_test(tc, test_rewrite_refused);
        suite_add_tcase(s, tc);

        tc = tcase_create("exec_update");
        tcase_add_checked_fixture(tc, setup_config, teardown_config);
        tcase_add_test(tc, test_exec);
        tcase_add_test(tc, test_update);
        suite_add_tcase(s, tc);
        return s;
}
