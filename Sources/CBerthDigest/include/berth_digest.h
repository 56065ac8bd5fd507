#ifndef BERTH_DIGEST_H
#define BERTH_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/// Which hash function a state computes.
typedef enum {
    BERTH_DIGEST_SHA256 = 1,
    BERTH_DIGEST_SHA512 = 2,
} berth_digest_algorithm;

/// Size in bytes of the opaque state buffer; large enough for SHA-256 and SHA-512 contexts.
#define BERTH_DIGEST_STATE_SIZE 256

/// An incremental hash state that is plain bytes, so it can be saved and resumed later
/// (an upload that continues in another process carries its hash state in the metadata database).
typedef struct {
    uint32_t algorithm;
    uint32_t state_size;
    uint8_t state[BERTH_DIGEST_STATE_SIZE];
} berth_digest_state;

/// Starts a new hash; returns 0 on success.
int berth_digest_init(berth_digest_state *s, berth_digest_algorithm algorithm);
/// Feeds bytes into the hash; returns 0 on success.
int berth_digest_update(berth_digest_state *s, const void *data, size_t length);
/// Writes the digest of everything fed so far into out (32 or 64 bytes) without ending the state.
int berth_digest_peek(const berth_digest_state *s, uint8_t *out, size_t out_length);
/// Size of the raw context in bytes for this build of libcrypto (changes when the library's layout does).
size_t berth_digest_context_size(berth_digest_algorithm algorithm);

#endif
