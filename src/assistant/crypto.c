/*
 * crypto.c - the checksums of crypto-wallet addresses: Bitcoin's
 * base58check (double SHA-256, libsodium), bech32 and bech32m (BIP 173,
 * BIP 350), and Ethereum's EIP-55 mixed-case checksum.
 *
 * EIP-55 hashes with Keccak-256, which is not SHA3-256: SHA-3 pads with
 * 0x06, the original Keccak with 0x01. nettle 3.8 offers SHA3-256 but no
 * Keccak-256; it does export the Keccak-f[1600] permutation itself
 * (sha3_permute), so the sponge is written here around it: absorb at a
 * rate of 136 bytes, pad 0x01 ... 0x80, squeeze 32 bytes.
 */
#include <string.h>

#include <nettle/sha3.h>
#include <sodium.h>

#include "assistant/internal.h"

static const char b58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Decodes base58 s into out[25] (big-endian); false on a bad character or overflow. */
static bool base58_25(const char *s, size_t n, uint8_t out[25])
{
    memset(out, 0, 25);
    for (size_t i = 0; i < n; i++) {
        const char *p = memchr(b58, s[i], sizeof b58 - 1);
        if (!p || !s[i])
            return false;
        unsigned carry = (unsigned)(p - b58);
        for (int k = 24; k >= 0; k--) {
            carry += 58u * out[k];
            out[k] = (uint8_t)carry;
            carry >>= 8;
        }
        if (carry)
            return false;
    }
    return true;
}

bool tz_assist_base58check(const char *s, size_t n, uint8_t *version)
{
    if (n < 26 || n > 35)
        return false;
    uint8_t raw[25], h1[32], h2[32];
    if (!base58_25(s, n, raw))
        return false;
    /* leading '1's are leading zero bytes: the count must agree with the decoded value */
    size_t ones = 0;
    while (ones < n && s[ones] == '1')
        ones++;
    size_t zeros = 0;
    while (zeros < 25 && raw[zeros] == 0)
        zeros++;
    if (ones != zeros)
        return false;
    crypto_hash_sha256(h1, raw, 21);
    crypto_hash_sha256(h2, h1, 32);
    if (memcmp(h2, raw + 21, 4) != 0)
        return false;
    *version = raw[0];
    return true;
}

static uint32_t bech32_polymod(const uint8_t *v, size_t n)
{
    static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t chk = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v[i];
        for (int k = 0; k < 5; k++)
            if ((top >> k) & 1)
                chk ^= gen[k];
    }
    return chk;
}

int tz_assist_bech32(const char *s, size_t n)
{
    static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    if (n < 14 || n > 90)
        return 0;
    bool lower = false, upper = false;
    for (size_t i = 0; i < n; i++) {
        lower |= s[i] >= 'a' && s[i] <= 'z';
        upper |= s[i] >= 'A' && s[i] <= 'Z';
    }
    if (lower && upper)
        return 0;
    if ((s[0] | 0x20) != 'b' || (s[1] | 0x20) != 'c' || s[2] != '1')
        return 0;
    uint8_t v[96];
    size_t m = 0;
    v[m++] = 3, v[m++] = 3, v[m++] = 0, v[m++] = 2, v[m++] = 3; /* "bc" expanded */
    size_t data = 0;
    for (size_t i = 3; i < n; i++) {
        const char *p = memchr(charset, s[i] | 0x20, 32);
        if (!p || !s[i])
            return 0;
        v[m++] = (uint8_t)(p - charset);
        data++;
    }
    if (data < 7)
        return 0;
    uint8_t witness = v[5];
    size_t prog_bits = (data - 1 - 6) * 5;
    size_t prog = prog_bits / 8;
    if (witness > 16 || prog < 2 || prog > 40 || prog_bits % 8 >= 5)
        return 0;
    if (witness == 0 && prog != 20 && prog != 32)
        return 0;
    uint32_t pm = bech32_polymod(v, m);
    if (witness == 0 && pm == 1)
        return 1;
    if (witness > 0 && pm == 0x2bc830a3)
        return 2;
    return 0;
}

void tz_assist_keccak256(const uint8_t *in, size_t n, uint8_t out[32])
{
    enum { RATE = 136 };
    struct sha3_state st;
    memset(&st, 0, sizeof st);
    uint8_t block[RATE];
    for (;;) {
        size_t take = n < RATE ? n : RATE;
        memset(block, 0, sizeof block);
        memcpy(block, in, take);
        bool last = take < RATE;
        if (last) {
            block[take] ^= 0x01;
            block[RATE - 1] ^= 0x80;
        }
        for (size_t i = 0; i < RATE / 8; i++) {
            uint64_t lane = 0;
            for (int b = 7; b >= 0; b--)
                lane = (lane << 8) | block[i * 8 + (size_t)b];
            st.a[i] ^= lane;
        }
        sha3_permute(&st);
        if (last)
            break;
        in += take;
        n -= take;
    }
    for (size_t i = 0; i < 32; i++)
        out[i] = (uint8_t)(st.a[i / 8] >> (8 * (i % 8)));
}

bool tz_assist_eip55(const char *hex, char out[41])
{
    char lower[40];
    for (size_t i = 0; i < 40; i++) {
        char c = hex[i];
        if (c >= 'A' && c <= 'F')
            c = (char)(c + 32);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        lower[i] = c;
    }
    uint8_t h[32];
    tz_assist_keccak256((const uint8_t *)lower, 40, h);
    for (size_t i = 0; i < 40; i++) {
        unsigned nib = (h[i / 2] >> ((i & 1) ? 0 : 4)) & 0xF;
        out[i] = lower[i] >= 'a' && nib >= 8 ? (char)(lower[i] - 32) : lower[i];
    }
    out[40] = '\0';
    return true;
}
