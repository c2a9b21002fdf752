/* SPDX-License-Identifier: MIT */
/* The worker: a queue in, a queue out, an eventfd that wakes the loop when
 * something came out.  One thread is enough (the daemon's Docker calls are
 * quick and local); fairness comes from taking turns between callers, and
 * the queue is bounded, so no caller can make it grow without end. */
#include "lookup.h"

#include <pthread.h>
#include <sys/eventfd.h>

#include "basic/util.h"

#define LOOKUP_QUEUE_MAX 4096

struct item {
        struct item *next;
        uid_t uid;
        void *job;
        lookup_run_t run;
        lookup_done_t done;
};

struct Lookup {
        char *socket;
        int efd;
        sd_event_source *source;
        pthread_t thread;
        bool started;

        pthread_mutex_t lock;
        pthread_cond_t wake;
        bool stop;
        struct item *in;  /* waiting, oldest first */
        struct item *out; /* done, to hand back */
        size_t n_in;
        uid_t last_uid;   /* whose job ran last */
};

/* The oldest job of a caller other than the last one, else the oldest. */
static struct item *take(Lookup *l) {
        struct item **pick = &l->in;
        for (struct item **p = &l->in; *p; p = &(*p)->next)
                if ((*p)->uid != l->last_uid) {
                        pick = p;
                        break;
                }
        struct item *it = *pick;
        if (it) {
                *pick = it->next;
                it->next = NULL;
                l->n_in--;
                l->last_uid = it->uid;
        }
        return it;
}

static void *worker(void *userdata) {
        Lookup *l = userdata;
        struct docker *d = NULL;

        pthread_mutex_lock(&l->lock);
        for (;;) {
                while (!l->stop && !l->in)
                        pthread_cond_wait(&l->wake, &l->lock);
                if (l->stop)
                        break;
                struct item *it = take(l);
                pthread_mutex_unlock(&l->lock);

                struct berth_error err = { 0 };
                if (!d && docker_open(l->socket, &d, &err) < 0)
                        d = NULL;
                /* curl opens the socket again itself when Docker closed it */
                it->run(it->job, d);

                pthread_mutex_lock(&l->lock);
                it->next = l->out;
                l->out = it;
                uint64_t one = 1;
                (void) !write(l->efd, &one, sizeof(one));
        }
        pthread_mutex_unlock(&l->lock);
        docker_close(d);
        return NULL;
}

static int on_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Lookup *l = userdata;
        uint64_t n;
        (void) !read(l->efd, &n, sizeof(n));

        pthread_mutex_lock(&l->lock);
        struct item *list = l->out;
        l->out = NULL;
        pthread_mutex_unlock(&l->lock);
        /* handed back in the order they finished */
        struct item *rev = NULL;
        while (list) {
                struct item *next = list->next;
                list->next = rev;
                rev = list;
                list = next;
        }
        while (rev) {
                struct item *next = rev->next;
                rev->done(rev->job);
                free(rev);
                rev = next;
        }
        return 0;
}

int lookup_new(sd_event *event, const char *docker_socket, Lookup **ret) {
        Lookup *l = calloc(1, sizeof(*l));
        int r;

        if (!l)
                return -ENOMEM;
        l->efd = -1;
        l->last_uid = (uid_t) -1;
        pthread_mutex_init(&l->lock, NULL);
        pthread_cond_init(&l->wake, NULL);
        l->socket = strdup(docker_socket);
        l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (!l->socket || l->efd < 0) {
                r = l->socket ? -errno : -ENOMEM;
                lookup_free(l);
                return r;
        }
        r = sd_event_add_io(event, &l->source, l->efd, EPOLLIN, on_done, l);
        if (r >= 0)
                r = -pthread_create(&l->thread, NULL, worker, l);
        if (r < 0) {
                lookup_free(l);
                return r;
        }
        l->started = true;
        *ret = l;
        return 0;
}

int lookup_submit(Lookup *l, uid_t uid, void *job, lookup_run_t run, lookup_done_t done) {
        struct item *it = calloc(1, sizeof(*it));
        if (!it)
                return -ENOMEM;
        *it = (struct item) { .uid = uid, .job = job, .run = run, .done = done };
        pthread_mutex_lock(&l->lock);
        if (l->n_in >= LOOKUP_QUEUE_MAX) {
                pthread_mutex_unlock(&l->lock);
                free(it);
                return -EAGAIN;
        }
        struct item **p = &l->in;
        while (*p)
                p = &(*p)->next;
        *p = it;
        l->n_in++;
        pthread_cond_signal(&l->wake);
        pthread_mutex_unlock(&l->lock);
        return 0;
}

static void hand_back_all(struct item *list) {
        while (list) {
                struct item *next = list->next;
                list->done(list->job);
                free(list);
                list = next;
        }
}

void lookup_free(Lookup *l) {
        if (!l)
                return;
        if (l->started) {
                pthread_mutex_lock(&l->lock);
                l->stop = true;
                pthread_cond_signal(&l->wake);
                pthread_mutex_unlock(&l->lock);
                pthread_join(l->thread, NULL);
        }
        hand_back_all(l->out);
        hand_back_all(l->in);
        sd_event_source_disable_unref(l->source);
        if (l->efd >= 0)
                close(l->efd);
        pthread_mutex_destroy(&l->lock);
        pthread_cond_destroy(&l->wake);
        free(l->socket);
        free(l);
}
