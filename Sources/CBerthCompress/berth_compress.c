// Streaming gzip/deflate through the system zlib, and Zstandard through libzstd.so.1 loaded at run time (so Berth builds
// and runs without zstd's headers, and reads zstd layers wherever the library is installed).
#include "berth_compress.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

// The parts of zstd.h used here (a stable ABI since zstd 1.3).
typedef struct { const void *src; size_t size; size_t pos; } zstd_in_buffer;
typedef struct { void *dst; size_t size; size_t pos; } zstd_out_buffer;
typedef void *(*zstd_create_fn)(void);
typedef size_t (*zstd_free_fn)(void *);
typedef size_t (*zstd_init_fn)(void *);
typedef size_t (*zstd_stream_fn)(void *, zstd_out_buffer *, zstd_in_buffer *);
typedef unsigned (*zstd_is_error_fn)(size_t);
typedef const char *(*zstd_error_name_fn)(size_t);
typedef size_t (*zstd_set_parameter_fn)(void *, int, int);

static struct {
    zstd_create_fn create;
    zstd_free_fn free;
    zstd_init_fn init;
    zstd_stream_fn decompress;
    zstd_is_error_fn is_error;
    zstd_error_name_fn error_name;
    zstd_set_parameter_fn set_parameter;
    int loaded;
} zstd;
static pthread_once_t zstd_once = PTHREAD_ONCE_INIT;

static void load_zstd(void) {
    void *library = dlopen("libzstd.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) return;
    zstd.create = (zstd_create_fn)dlsym(library, "ZSTD_createDStream");
    zstd.free = (zstd_free_fn)dlsym(library, "ZSTD_freeDStream");
    zstd.init = (zstd_init_fn)dlsym(library, "ZSTD_initDStream");
    zstd.decompress = (zstd_stream_fn)dlsym(library, "ZSTD_decompressStream");
    zstd.is_error = (zstd_is_error_fn)dlsym(library, "ZSTD_isError");
    zstd.error_name = (zstd_error_name_fn)dlsym(library, "ZSTD_getErrorName");
    zstd.set_parameter = (zstd_set_parameter_fn)dlsym(library, "ZSTD_DCtx_setParameter");
    zstd.loaded = zstd.create && zstd.free && zstd.init && zstd.decompress && zstd.is_error && zstd.error_name;
}

int berth_zstd_available(void) {
    pthread_once(&zstd_once, load_zstd);
    return zstd.loaded;
}

struct berth_decompressor {
    berth_compression_format format;
    z_stream zlib;
    void *zstd_stream;
    // Whether the last zstd call ended a frame (the stream may end there).
    int zstd_frame_done;
    const char *message;
};

berth_decompressor *berth_decompressor_create(berth_compression_format format) {
    berth_decompressor *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->format = format;
    d->message = "no error";
    switch (format) {
    case BERTH_COMPRESSION_GZIP:
    case BERTH_COMPRESSION_DEFLATE:
        // 16 + 15: a gzip wrapper with the largest window; -15: raw deflate.
        if (inflateInit2(&d->zlib, format == BERTH_COMPRESSION_GZIP ? 16 + MAX_WBITS : -MAX_WBITS) != Z_OK) {
            free(d);
            return NULL;
        }
        return d;
    case BERTH_COMPRESSION_ZSTD:
        if (!berth_zstd_available()) { free(d); return NULL; }
        d->zstd_stream = zstd.create();
        if (!d->zstd_stream || zstd.is_error(zstd.init(d->zstd_stream))) {
            if (d->zstd_stream) zstd.free(d->zstd_stream);
            free(d);
            return NULL;
        }
        // ZSTD_d_windowLogMax = 100: refuse frames that need a window over 128 MiB (bounds memory).
        if (zstd.set_parameter) zstd.set_parameter(d->zstd_stream, 100, 27);
        d->zstd_frame_done = 1;
        return d;
    }
    free(d);
    return NULL;
}

static berth_decompress_status run_zlib(berth_decompressor *d, const uint8_t *input, size_t input_length, size_t *consumed,
                                        uint8_t *output, size_t output_length, size_t *produced) {
    // zlib counts in uInt; hand it at most 1 GiB at a time.
    uInt in_now = input_length > (1u << 30) ? (1u << 30) : (uInt)input_length;
    uInt out_now = output_length > (1u << 30) ? (1u << 30) : (uInt)output_length;
    d->zlib.next_in = (Bytef *)input;
    d->zlib.avail_in = in_now;
    d->zlib.next_out = output;
    d->zlib.avail_out = out_now;
    int result = inflate(&d->zlib, Z_NO_FLUSH);
    *consumed = in_now - d->zlib.avail_in;
    *produced = out_now - d->zlib.avail_out;
    switch (result) {
    case Z_OK:
        return BERTH_DECOMPRESS_OK;
    case Z_BUF_ERROR:
        // No progress possible with what was given (more input is needed); not an error by itself.
        return BERTH_DECOMPRESS_OK;
    case Z_STREAM_END:
        if (d->format == BERTH_COMPRESSION_GZIP && *consumed < input_length) {
            // Another gzip member follows.
            inflateReset(&d->zlib);
            return BERTH_DECOMPRESS_OK;
        }
        if (d->format == BERTH_COMPRESSION_GZIP) inflateReset(&d->zlib);
        return BERTH_DECOMPRESS_END;
    case Z_NEED_DICT:
        d->message = "the deflate stream needs a preset dictionary";
        return BERTH_DECOMPRESS_ERROR;
    case Z_MEM_ERROR:
        d->message = "out of memory while inflating";
        return BERTH_DECOMPRESS_ERROR;
    default:
        d->message = d->zlib.msg ? d->zlib.msg : "the data is not valid deflate";
        return BERTH_DECOMPRESS_ERROR;
    }
}

static berth_decompress_status run_zstd(berth_decompressor *d, const uint8_t *input, size_t input_length, size_t *consumed,
                                        uint8_t *output, size_t output_length, size_t *produced) {
    zstd_in_buffer in = {input, input_length, 0};
    zstd_out_buffer out = {output, output_length, 0};
    size_t result = zstd.decompress(d->zstd_stream, &out, &in);
    *consumed = in.pos;
    *produced = out.pos;
    if (zstd.is_error(result)) {
        d->message = zstd.error_name(result);
        return BERTH_DECOMPRESS_ERROR;
    }
    d->zstd_frame_done = result == 0;
    if (result == 0 && in.pos == input_length) return BERTH_DECOMPRESS_END;
    return BERTH_DECOMPRESS_OK;
}

berth_decompress_status berth_decompress(berth_decompressor *d, const uint8_t *input, size_t input_length, size_t *consumed,
                                         uint8_t *output, size_t output_length, size_t *produced) {
    *consumed = 0;
    *produced = 0;
    if (d->format == BERTH_COMPRESSION_ZSTD) return run_zstd(d, input, input_length, consumed, output, output_length, produced);
    return run_zlib(d, input, input_length, consumed, output, output_length, produced);
}

const char *berth_decompressor_message(const berth_decompressor *d) { return d->message; }

void berth_decompressor_free(berth_decompressor *d) {
    if (!d) return;
    if (d->format == BERTH_COMPRESSION_ZSTD) {
        if (d->zstd_stream) zstd.free(d->zstd_stream);
    } else {
        inflateEnd(&d->zlib);
    }
    free(d);
}
