/* SPDX-License-Identifier: MIT */
/* A fixed pool of threads taking jobs in order; finished jobs go back to
 * the loop through an eventfd. */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "basic/util.h"

struct job {
        struct job *next;
        worker_fn run, done;
        void *userdata;
};

struct Worker {
        pthread_mutex_t lock;
        pthread_cond_t wake;
        struct job *todo, *todo_tail; /* FIFO */
        struct job *finished;         /* LIFO, reversed when handed out */
        pthread_t *threads;
        unsigned n_threads;
        bool stopping;
        int efd;
        sd_event_source *source;
};

static void *worker_main(void *arg) {
        Worker *w = arg;
        pthread_mutex_lock(&w->lock);
        for (;;) {
                while (!w->todo && !w->stopping)
                        pthread_cond_wait(&w->wake, &w->lock);
                struct job *j = w->todo;
                if (!j)
                        break; /* stopping, nothing left */
                w->todo = j->next;
                if (!w->todo)
                        w->todo_tail = NULL;
                pthread_mutex_unlock(&w->lock);

                j->run(j->userdata);

                pthread_mutex_lock(&w->lock);
                j->next = w->finished;
                w->finished = j;
                uint64_t one = 1;
                (void) !write(w->efd, &one, sizeof(one));
        }
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

static void worker_drain(Worker *w) {
        pthread_mutex_lock(&w->lock);
        struct job *list = w->finished, *rev = NULL;
        w->finished = NULL;
        pthread_mutex_unlock(&w->lock);
        while (list) { /* oldest first */
                struct job *n = list->next;
                list->next = rev;
                rev = list;
                list = n;
        }
        while (rev) {
                struct job *n = rev->next;
                rev->done(rev->userdata);
                free(rev);
                rev = n;
        }
}

static int on_event(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Worker *w = userdata;
        uint64_t n;
        (void) !read(fd, &n, sizeof(n));
        worker_drain(w);
        return 0;
}

int worker_new(sd_event *event, unsigned n_threads, Worker **ret) {
        Worker *w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->wake, NULL);
        w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        w->threads = calloc(n_threads, sizeof(pthread_t));
        int r = w->efd < 0 ? -errno : !w->threads ? -ENOMEM : 0;
        if (r == 0)
                r = sd_event_add_io(event, &w->source, w->efd, EPOLLIN, on_event, w);
        for (; r == 0 && w->n_threads < n_threads; w->n_threads++) {
                pthread_attr_t a;
                pthread_attr_init(&a);
                pthread_attr_setstacksize(&a, 256 * 1024); /* the jobs are shallow; RSS stays small */
                r = -pthread_create(&w->threads[w->n_threads], &a, worker_main, w);
                pthread_attr_destroy(&a);
        }
        if (r < 0) {
                worker_free(w);
                return r;
        }
        *ret = w;
        return 0;
}

void worker_free(Worker *w) {
        if (!w)
                return;
        pthread_mutex_lock(&w->lock);
        w->stopping = true;
        pthread_cond_broadcast(&w->wake);
        pthread_mutex_unlock(&w->lock);
        for (unsigned i = 0; i < w->n_threads; i++)
                pthread_join(w->threads[i], NULL);
        worker_drain(w);
        sd_event_source_disable_unref(w->source);
        if (w->efd >= 0)
                close(w->efd);
        free(w->threads);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        free(w);
}

int worker_submit(Worker *w, worker_fn run, worker_fn done, void *userdata) {
        struct job *j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        *j = (struct job) { .run = run, .done = done, .userdata = userdata };
        pthread_mutex_lock(&w->lock);
        if (w->todo_tail)
                w->todo_tail->next = j;
        else
                w->todo = j;
        w->todo_tail = j;
        pthread_cond_signal(&w->wake);
        pthread_mutex_unlock(&w->lock);
        return 0;
}
