#ifndef BERTH_RPMDB_H
#define BERTH_RPMDB_H

#include <stddef.h>
#include <stdint.h>

/// Whether SQLite can be used here (libsqlite3.so.0 could be loaded, with sqlite3_deserialize).
int berth_rpmdb_available(void);

/// Calls `each` with every header blob of the `Packages` table of the rpm SQLite database held in `bytes` (opened
/// read-only in memory, never written to disk). Returns 0 on success, -1 when SQLite is missing, -2 when the bytes are
/// not a readable database or have no Packages table; `message` (when not NULL) then points to a static reason.
int berth_rpmdb_headers(const uint8_t *bytes, size_t length, void *context,
                        void (*each)(void *context, const uint8_t *blob, size_t length), const char **message);

#endif
