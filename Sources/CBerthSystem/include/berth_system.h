#ifndef BERTH_SYSTEM_H
#define BERTH_SYSTEM_H

/// Limits glibc malloc to `arenas` arenas; returns 1 on success, 0 where unsupported.
int berth_limit_malloc_arenas(int arenas);

#endif
