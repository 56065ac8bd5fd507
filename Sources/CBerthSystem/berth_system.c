#define _GNU_SOURCE
#include "berth_system.h"
#include <fcntl.h>
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
