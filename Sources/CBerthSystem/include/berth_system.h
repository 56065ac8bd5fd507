#ifndef BERTH_SYSTEM_H
#define BERTH_SYSTEM_H

#include <stdint.h>

/// Limits glibc malloc to `arenas` arenas; returns 1 on success, 0 where unsupported.
int berth_limit_malloc_arenas(int arenas);

/// Starts writeback of a file range without waiting (Linux sync_file_range); returns 0 on success.
int berth_start_writeback(int fd, int64_t offset, int64_t length);

/// Lowers the calling thread's CPU priority to `nice` (and its I/O priority to the lowest best-effort level where the
/// I/O scheduler honours it); returns 0 on success.
int berth_lower_thread_priority(int nice);

/// The calling thread's nice value.
int berth_thread_priority(void);

#endif
