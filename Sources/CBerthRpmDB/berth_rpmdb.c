// The rpm database of RHEL 9, Fedora, Rocky and Alma images is SQLite (rpmdb.sqlite). It is read through the system's
// libsqlite3.so.0, loaded at run time, from memory with sqlite3_deserialize: the image's file is never written out.
#include "berth_rpmdb.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
#define SQLITE_OK 0
#define SQLITE_ROW 100
#define SQLITE_OPEN_READONLY 0x00000001
#define SQLITE_OPEN_MEMORY 0x00000080
#define SQLITE_DESERIALIZE_FREEONCLOSE 1
#define SQLITE_DESERIALIZE_READONLY 4

static struct {
    int (*open_v2)(const char *, sqlite3 **, int, const char *);
    int (*close)(sqlite3 *);
    int (*deserialize)(sqlite3 *, const char *, unsigned char *, long long, long long, unsigned);
    void *(*malloc64)(unsigned long long);
    int (*prepare_v2)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
    int (*step)(sqlite3_stmt *);
    const void *(*column_blob)(sqlite3_stmt *, int);
    int (*column_bytes)(sqlite3_stmt *, int);
    int (*finalize)(sqlite3_stmt *);
    int loaded;
} lite;
static pthread_once_t lite_once = PTHREAD_ONCE_INIT;

static void load_sqlite(void) {
    void *library = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!library) return;
    lite.open_v2 = dlsym(library, "sqlite3_open_v2");
    lite.close = dlsym(library, "sqlite3_close");
    lite.deserialize = dlsym(library, "sqlite3_deserialize");
    lite.malloc64 = dlsym(library, "sqlite3_malloc64");
    lite.prepare_v2 = dlsym(library, "sqlite3_prepare_v2");
    lite.step = dlsym(library, "sqlite3_step");
    lite.column_blob = dlsym(library, "sqlite3_column_blob");
    lite.column_bytes = dlsym(library, "sqlite3_column_bytes");
    lite.finalize = dlsym(library, "sqlite3_finalize");
    lite.loaded = lite.open_v2 && lite.close && lite.deserialize && lite.malloc64 && lite.prepare_v2 && lite.step && lite.column_blob &&
                  lite.column_bytes && lite.finalize;
}

int berth_rpmdb_available(void) {
    pthread_once(&lite_once, load_sqlite);
    return lite.loaded;
}

int berth_rpmdb_headers(const uint8_t *bytes, size_t length, void *context,
                        void (*each)(void *context, const uint8_t *blob, size_t length), const char **message) {
    if (message) *message = "";
    if (!berth_rpmdb_available()) {
        if (message) *message = "libsqlite3.so.0 is not installed here";
        return -1;
    }
    if (length < 100 || length > (1ull << 30)) {
        if (message) *message = "not an SQLite database of a readable size";
        return -2;
    }
    sqlite3 *db = NULL;
    if (lite.open_v2(":memory:", &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_MEMORY, NULL) != SQLITE_OK) {
        if (db) lite.close(db);
        if (message) *message = "SQLite could not open an in-memory database";
        return -2;
    }
    unsigned char *copy = lite.malloc64(length);
    if (!copy) {
        lite.close(db);
        if (message) *message = "out of memory";
        return -2;
    }
    memcpy(copy, bytes, length);
    // A database left in WAL mode: read it as a rollback-journal one (the in-memory copy has no WAL file).
    if (copy[18] == 2) copy[18] = 1;
    if (copy[19] == 2) copy[19] = 1;
    if (lite.deserialize(db, "main", copy, (long long)length, (long long)length,
                         SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
        lite.close(db);
        if (message) *message = "not an SQLite database";
        return -2;
    }
    sqlite3_stmt *statement = NULL;
    if (lite.prepare_v2(db, "SELECT blob FROM Packages", -1, &statement, NULL) != SQLITE_OK) {
        lite.close(db);
        if (message) *message = "no Packages table (not an rpm database, or a damaged one)";
        return -2;
    }
    while (lite.step(statement) == SQLITE_ROW) {
        const void *blob = lite.column_blob(statement, 0);
        int size = lite.column_bytes(statement, 0);
        if (blob && size > 0) each(context, blob, (size_t)size);
    }
    lite.finalize(statement);
    lite.close(db);
    return 0;
}
