#define _GNU_SOURCE
#include "berth_system.h"
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int berth_limit_malloc_arenas(int arenas) {
#if defined(__GLIBC__)
    return mallopt(M_ARENA_MAX, arenas);
#else
    (void)arenas;
    return 0;
#endif
}

int berth_start_writeback(int fd, int64_t offset, int64_t length) {
#if defined(__linux__)
    return sync_file_range(fd, (off_t)offset, (off_t)length, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)length;
    return 0;
#endif
}

int berth_lower_thread_priority(int nice) {
#if defined(__linux__)
    pid_t thread = (pid_t)syscall(SYS_gettid);
    // Linux keeps a nice value per thread. The I/O class is best effort at its lowest level (7), which the BFQ
    // scheduler honours and others ignore.
    int cpu = setpriority(PRIO_PROCESS, (id_t)thread, nice);
    (void)syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, thread, (2 /* IOPRIO_CLASS_BE */ << 13) | 7);
    return cpu;
#else
    (void)nice;
    return -1;
#endif
}

int berth_thread_priority(void) {
#if defined(__linux__)
    return getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
#else
    return 0;
#endif
}
