/*
 * secret.c - passwords (Argon2id through libsodium), one-time codes (HOTP,
 * RFC 4226, and TOTP, RFC 6238, with HMAC-SHA1 from nettle, which is what
 * authenticator apps expect), and the enrolment URI with its QR code.
 */
#include <string.h>

#include <nettle/hmac.h>
#include <qrencode.h>
#include <sodium.h>

#include "auth/internal.h"

tz_err tz_auth_password_hash(const struct tz_auth *auth, const char *password,
                             char out[TZ_PWHASH_MAX])
{
    size_t n = password ? strnlen(password, TZ_PASSWORD_MAX + 1) : 0;
    if (n < TZ_PASSWORD_MIN || n > TZ_PASSWORD_MAX)
        return TZ_EINVAL;
    _Static_assert(crypto_pwhash_STRBYTES <= TZ_PWHASH_MAX, "hash string fits");
    if (crypto_pwhash_str_alg(out, password, n, auth->cfg.pw_ops, auth->cfg.pw_mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return TZ_ENOMEM; /* libsodium fails only when it cannot get the memory */
    return TZ_OK;
}

bool tz_auth_password_check(const char *hash, const char *password)
{
    size_t n = password ? strnlen(password, TZ_PASSWORD_MAX + 1) : 0;
    if (!hash || !password || n > TZ_PASSWORD_MAX || !memchr(hash, '\0', crypto_pwhash_STRBYTES))
        return false;
    return crypto_pwhash_str_verify(hash, password, n) == 0;
}

uint32_t tz_auth_hotp(const uint8_t *key, size_t key_len, uint64_t counter, int digits)
{
    struct hmac_sha1_ctx ctx;
    uint8_t msg[8], mac[SHA1_DIGEST_SIZE];
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (uint8_t)counter;
    hmac_sha1_set_key(&ctx, key_len, key);
    hmac_sha1_update(&ctx, sizeof msg, msg);
    hmac_sha1_digest(&ctx, sizeof mac, mac);
    unsigned off = mac[SHA1_DIGEST_SIZE - 1] & 0x0f; /* RFC 4226 5.3: dynamic truncation */
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
                   ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
    uint32_t mod = 1;
    for (int i = 0; i < digits && i < 9; i++)
        mod *= 10;
    sodium_memzero(&ctx, sizeof ctx);
    return bin % mod;
}

tz_err tz_auth_base32(const uint8_t *data, size_t n, struct tz_buf *out)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    uint32_t acc = 0;
    int bits = 0;
    tz_err err = TZ_OK;
    for (size_t i = 0; i < n && !err; i++) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= 5 && !err) {
            err = tz_buf_append(out, &alphabet[(acc >> (bits - 5)) & 31], 1);
            bits -= 5;
        }
    }
    if (!err && bits > 0)
        err = tz_buf_append(out, &alphabet[(acc << (5 - bits)) & 31], 1);
    return err;
}

tz_err tz_auth_otpauth_uri(const struct tz_account_rec *rec, struct tz_buf *out)
{
    /* Account names are [a-z0-9._-]: nothing in them needs percent-encoding. */
    tz_err err = tz_buf_printf(out, "otpauth://totp/tarcza:%s?secret=", rec->name);
    if (!err)
        err = tz_auth_base32(rec->totp_secret, sizeof rec->totp_secret, out);
    if (!err)
        err = tz_buf_puts(out, "&issuer=tarcza&algorithm=SHA1&digits=6&period=30");
    return err;
}

tz_err tz_auth_qr_text(const char *uri, struct tz_buf *out)
{
    QRcode *qr = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return TZ_ENOMEM;
    int w = qr->width, quiet = 2;
    tz_err err = TZ_OK;
    /* Two modules per character cell: upper and lower half blocks, dark on light. */
    for (int y = -quiet; y < w + quiet && !err; y += 2) {
        for (int x = -quiet; x < w + quiet && !err; x++) {
            bool top = y >= 0 && y < w && x >= 0 && x < w && (qr->data[y * w + x] & 1);
            bool bot =
                y + 1 >= 0 && y + 1 < w && x >= 0 && x < w && (qr->data[(y + 1) * w + x] & 1);
            const char *cell =
                top ? (bot ? " " : "\xe2\x96\x84") : (bot ? "\xe2\x96\x80" : "\xe2\x96\x88");
            err = tz_buf_puts(out, cell);
        }
        if (!err)
            err = tz_buf_puts(out, "\n");
    }
    QRcode_free(qr);
    return err;
}

tz_err tz_auth_qr_svg(const char *uri, struct tz_buf *out)
{
    QRcode *qr = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return TZ_ENOMEM;
    int w = qr->width, quiet = 4, size = w + 2 * quiet;
    tz_err err = tz_buf_printf(out,
                               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\""
                               " shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\""
                               " fill=\"#fff\"/><path fill=\"#000\" d=\"",
                               size, size, size, size);
    for (int y = 0; y < w && !err; y++) {
        for (int x = 0; x < w && !err; x++) {
            if (qr->data[y * w + x] & 1)
                err = tz_buf_printf(out, "M%d %dh1v1h-1z", x + quiet, y + quiet);
        }
    }
    if (!err)
        err = tz_buf_puts(out, "\"/></svg>");
    QRcode_free(qr);
    return err;
}
