// Thin wrapper over libcrypto's SHA-256/512 contexts. OpenSSL's SHA*_CTX structs are plain data,
// so copying their bytes is a faithful snapshot of the hash state.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "berth_digest.h"
#include <openssl/sha.h>
#include <string.h>

_Static_assert(sizeof(SHA256_CTX) <= BERTH_DIGEST_STATE_SIZE, "SHA256_CTX too large");
_Static_assert(sizeof(SHA512_CTX) <= BERTH_DIGEST_STATE_SIZE, "SHA512_CTX too large");

int berth_digest_init(berth_digest_state *s, berth_digest_algorithm algorithm) {
    memset(s, 0, sizeof(*s));
    s->algorithm = (uint32_t)algorithm;
    switch (algorithm) {
    case BERTH_DIGEST_SHA256:
        s->state_size = sizeof(SHA256_CTX);
        return SHA256_Init((SHA256_CTX *)s->state) == 1 ? 0 : -1;
    case BERTH_DIGEST_SHA512:
        s->state_size = sizeof(SHA512_CTX);
        return SHA512_Init((SHA512_CTX *)s->state) == 1 ? 0 : -1;
    }
    return -1;
}

int berth_digest_update(berth_digest_state *s, const void *data, size_t length) {
    switch (s->algorithm) {
    case BERTH_DIGEST_SHA256:
        return SHA256_Update((SHA256_CTX *)s->state, data, length) == 1 ? 0 : -1;
    case BERTH_DIGEST_SHA512:
        return SHA512_Update((SHA512_CTX *)s->state, data, length) == 1 ? 0 : -1;
    }
    return -1;
}

int berth_digest_peek(const berth_digest_state *s, uint8_t *out, size_t out_length) {
    switch (s->algorithm) {
    case BERTH_DIGEST_SHA256: {
        if (out_length < SHA256_DIGEST_LENGTH) return -1;
        SHA256_CTX copy;
        memcpy(&copy, s->state, sizeof(copy));
        return SHA256_Final(out, &copy) == 1 ? 0 : -1;
    }
    case BERTH_DIGEST_SHA512: {
        if (out_length < SHA512_DIGEST_LENGTH) return -1;
        SHA512_CTX copy;
        memcpy(&copy, s->state, sizeof(copy));
        return SHA512_Final(out, &copy) == 1 ? 0 : -1;
    }
    }
    return -1;
}

size_t berth_digest_context_size(berth_digest_algorithm algorithm) {
    switch (algorithm) {
    case BERTH_DIGEST_SHA256: return sizeof(SHA256_CTX);
    case BERTH_DIGEST_SHA512: return sizeof(SHA512_CTX);
    }
    return 0;
}
