/* SPDX-License-Identifier: MIT */
#include "policy/spec.h"

#include <ctype.h>
#include <string.h>

#include "basic/util.h"

void spec_mount_done(struct spec_mount *m) {
        free(m->type);
        free(m->source);
        free(m->target);
        free(m->resolved);
        strv_free(m->volume_opts);
        free(m->volume_driver);
        free(m->flag);
        *m = (struct spec_mount) { 0 };
}

void container_spec_done(struct container_spec *s) {
        if (!s)
                return;
        free(s->name);
        free(s->image);
        strv_free(s->labels);
        free(s->cgroup_parent);
        strv_free(s->gpus);
        strv_free(s->cap_add);
        for (size_t i = 0; i < s->n_devices; i++) {
                free(s->devices[i].path);
                free(s->devices[i].resolved);
        }
        free(s->devices);
        strv_free(s->device_cgroup_rules);
        free(s->pid);
        free(s->ipc);
        free(s->uts);
        free(s->userns);
        free(s->cgroupns);
        strv_free(s->networks);
        for (size_t i = 0; i < s->n_mounts; i++)
                spec_mount_done(&s->mounts[i]);
        free(s->mounts);
        for (size_t i = 0; i < s->n_refs; i++) {
                free(s->refs[i].name);
                free(s->refs[i].flag);
                free(s->refs[i].owner);
        }
        free(s->refs);
        strv_free(s->env);
        free(s->runtime);
        strv_free(s->security_opts);
        strv_free(s->sysctls);
        strv_free(s->publish);
        free(s->user);
        strv_free(s->group_add);
        free(s->volume_driver);
        free(s->log_driver);
        strv_free(s->log_opts);
        strv_free(s->ulimits);
        free(s->cpuset_cpus);
        free(s->cpuset_mems);
        strv_free(s->annotations);
        strv_free(s->storage_opts);
        *s = (struct container_spec) { 0 };
}

void build_spec_done(struct build_spec *b) {
        strv_free(b->labels);
        strv_free(b->networks);
        strv_free(b->security_opts);
        strv_free(b->ulimits);
        strv_free(b->outputs);
        free(b->undecided);
        *b = (struct build_spec) { 0 };
}

bool spec_volume_name_valid(const char *s) {
        /* [a-zA-Z0-9][a-zA-Z0-9_.-]+ : what the local driver names */
        if (!s || !isalnum((unsigned char) s[0]) || !s[1])
                return false;
        for (const char *p = s + 1; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("_.-", *p))
                        return false;
        return true;
}

int spec_mount_push(struct container_spec *s, struct spec_mount *m) {
        struct spec_mount *v = reallocarray(s->mounts, s->n_mounts + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        s->mounts = v;
        v[s->n_mounts++] = *m;
        *m = (struct spec_mount) { 0 };
        return 0;
}
