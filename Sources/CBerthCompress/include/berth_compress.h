#ifndef BERTH_COMPRESS_H
#define BERTH_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

/// The compressed formats a decompressor reads.
typedef enum {
    /// gzip (RFC 1952), including several members one after another.
    BERTH_COMPRESSION_GZIP = 1,
    /// Zstandard frames, one or more; needs the system's libzstd.so.1 at run time.
    BERTH_COMPRESSION_ZSTD = 2,
    /// Raw deflate (RFC 1951), as zip archives store their entries.
    BERTH_COMPRESSION_DEFLATE = 3,
} berth_compression_format;

/// What a call to berth_decompress did.
typedef enum {
    /// It consumed input or produced output and the stream goes on.
    BERTH_DECOMPRESS_OK = 0,
    /// The stream's end was reached (for gzip and zstd: the end of a member or frame with no input left after it).
    BERTH_DECOMPRESS_END = 1,
    /// The input is not valid data of the format; berth_decompressor_message says why.
    BERTH_DECOMPRESS_ERROR = -1,
} berth_decompress_status;

/// A streaming decompressor (opaque).
typedef struct berth_decompressor berth_decompressor;

/// Whether Zstandard can be read here (libzstd.so.1 could be loaded).
int berth_zstd_available(void);

/// A new decompressor for format, or NULL when the format is not available or memory is short.
berth_decompressor *berth_decompressor_create(berth_compression_format format);

/// Decompresses from input into output: *consumed and *produced say how many bytes of each were used.
berth_decompress_status berth_decompress(berth_decompressor *d, const uint8_t *input, size_t input_length, size_t *consumed,
                                         uint8_t *output, size_t output_length, size_t *produced);

/// Why the last call failed (a static string; never NULL).
const char *berth_decompressor_message(const berth_decompressor *d);

/// Releases a decompressor.
void berth_decompressor_free(berth_decompressor *d);

#endif
