/* SPDX-License-Identifier: MIT */
#include "core/seal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

/* Fields are joined with NUL bytes after a version tag, so no two field
 * lists give one message ("a" + "bc" never meets "ab" + "c"). */
static int seal_mac(const uint8_t *key, size_t key_size, const char *name, const char *user, uid_t uid,
                    const char *gpus, uint8_t mac[static 32]) {
        static const char tag[] = "berth-seal-v1";
        char uidbuf[16];

        if (!key || key_size != SEAL_KEY_SIZE || !name || !*name || !user || !*user || !gpus)
                return -EINVAL;
        snprintf(uidbuf, sizeof(uidbuf), "%u", (unsigned) uid);
        EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
        if (!m)
                return -ENOMEM;
        EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(m);
        EVP_MAC_free(m);
        if (!ctx)
                return -ENOMEM;
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                OSSL_PARAM_construct_end(),
        };
        size_t out = 0;
        const char *fields[] = { tag, name, user, uidbuf, gpus };
        int ok = EVP_MAC_init(ctx, key, key_size, params);
        for (size_t i = 0; ok && i < sizeof(fields) / sizeof(fields[0]); i++)
                ok = EVP_MAC_update(ctx, (const unsigned char *) fields[i], strlen(fields[i]) + 1);
        ok = ok && EVP_MAC_final(ctx, mac, &out, 32);
        EVP_MAC_CTX_free(ctx);
        return ok && out == 32 ? 0 : -EIO;
}

int seal_compute(const uint8_t *key, size_t key_size, const char *name, const char *user, uid_t uid,
                 const char *gpus, char ret[static SEAL_TEXT_MAX]) {
        static const char hex[] = "0123456789abcdef";
        uint8_t mac[32];

        int r = seal_mac(key, key_size, name, user, uid, gpus, mac);
        if (r < 0)
                return r;
        memcpy(ret, "v1:", 3);
        for (size_t i = 0; i < sizeof(mac); i++) {
                ret[3 + 2 * i] = hex[mac[i] >> 4];
                ret[3 + 2 * i + 1] = hex[mac[i] & 15];
        }
        ret[3 + 64] = 0;
        OPENSSL_cleanse(mac, sizeof(mac));
        return 0;
}

bool seal_verify(const uint8_t *key, size_t key_size, const char *seal, const char *name, const char *user, uid_t uid,
                 const char *gpus) {
        char want[SEAL_TEXT_MAX];

        if (!seal || strlen(seal) != SEAL_TEXT_MAX - 1)
                return false;
        if (seal_compute(key, key_size, name, user, uid, gpus, want) < 0)
                return false;
        return CRYPTO_memcmp(want, seal, SEAL_TEXT_MAX - 1) == 0;
}
