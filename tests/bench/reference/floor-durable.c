/* floor-durable.c - the floor (floor.c, included as it is) made durable the textbook way:
 * before each answer the request appends a 1.4 KB record (cisgate's record size) to a file
 * and waits until a flush covers it. Group commit, leader/follower: a waiter that finds no
 * flush running flushes everything written so far; the others wait for it, and the next
 * batch gathers meanwhile. A thread per connection, so a waiting request holds only its
 * own. No policy, no chain, no hand-over: what this disk lets our stack do with
 * `fsync: always`, beside what cisgate does.
 * Build: gcc -O2 -pthread -o floor-durable floor-durable.c -lmicrohttpd -ljansson -lcrypto
 * Usage: floor-durable SOCKET FILE */
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char rec[1400];
static int logfd;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flushed = PTHREAD_COND_INITIALIZER;
static unsigned long long written, synced;
static int flushing;

/* Appends one record and returns once it is on disk (0), or -1. */
static int commit(void) {
    unsigned long long mine;
    int rc = 0;
    pthread_mutex_lock(&lock);
    if (write(logfd, rec, sizeof rec) != (ssize_t)sizeof rec) { pthread_mutex_unlock(&lock); return -1; }
    mine = ++written;
    while (synced < mine && rc == 0) {
        if (flushing) { pthread_cond_wait(&flushed, &lock); continue; }
        unsigned long long upto = written;
        flushing = 1;
        pthread_mutex_unlock(&lock);
        rc = fdatasync(logfd);
        pthread_mutex_lock(&lock);
        flushing = 0;
        if (rc == 0 && upto > synced) synced = upto;
        pthread_cond_broadcast(&flushed);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* The floor's handler answers through MHD_queue_response: the record goes first. */
#define MHD_queue_response(c, st, r) (commit() != 0 ? MHD_NO : MHD_queue_response(c, st, r))
#define main floor_main
#include "floor.c"
#undef main

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: floor-durable SOCKET FILE\n"); return 2; }
    memset(rec, 'x', sizeof rec); rec[sizeof rec - 1] = '\n';
    if ((logfd = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0600)) < 0) { perror(argv[2]); return 1; }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0); struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[1]); unlink(argv[1]);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 1024)) { perror("bind"); return 1; }
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
        handle, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_NOTIFY_COMPLETED, done, NULL, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_END);
    if (!d) { fprintf(stderr, "MHD failed\n"); return 1; }
    pause(); return 0;
}
