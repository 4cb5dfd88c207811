/*
 * keys.c - a node's identity: its Ed25519 signing key pair (libsodium) and a self-signed X.509
 * certificate with its key for TLS (GnuTLS), written once into a folder by `tarcza node init`;
 * and the fingerprints partners pin (SHA-256 of the certificate's DER).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>

#include "federation/internal.h"

void tz_fed_hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

tz_err tz_fed_unhex(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!hex[2 * i] || !hex[2 * i + 1])
            return TZ_EINVAL;
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return TZ_EINVAL;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return hex[2 * n] == '\0' || hex[2 * n] == '\n' ? TZ_OK : TZ_EINVAL;
}

void tz_fed_cert_fingerprint(const uint8_t *der, size_t n, char *fpr_hex)
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, der, n);
    tz_fed_hex(h, sizeof h, fpr_hex);
}

/* Writes n bytes to a new file at dir/name with mode (never over an existing one). */
static tz_err write_new(const char *dir, const char *name, const void *p, size_t n, mode_t mode)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return TZ_EINVAL;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return errno == EEXIST ? TZ_ECONFLICT : errno == ENOENT ? TZ_ENOTFOUND : TZ_EIO;
    tz_err err = TZ_OK;
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            err = TZ_EIO;
            break;
        }
        c += w;
        n -= (size_t)w;
    }
    if (!err && fsync(fd) != 0)
        err = TZ_EIO;
    if (close(fd) != 0 && !err)
        err = TZ_EIO;
    return err;
}

/* Whether dir/name exists already. */
static bool exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat sb;
    return snprintf(path, sizeof path, "%s/%s", dir, name) < (int)sizeof path &&
           stat(path, &sb) == 0;
}

/* A self-signed certificate for id (ECDSA P-256, SHA-256) as PEM into crt_pem and key_pem. */
static tz_err make_cert(const char *id, const char *host, int days, gnutls_datum_t *crt_pem,
                        gnutls_datum_t *key_pem, char *fpr_hex)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t der = {0};
    uint8_t serial[16];
    static const uint8_t loopback[4] = {127, 0, 0, 1};
    randombytes_buf(serial, sizeof serial);
    serial[0] &= 0x7f; /* a positive serial */
    time_t now = time(NULL);
    int rc = gnutls_x509_privkey_init(&key);
    if (!rc)
        rc = gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
                                          GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
    if (!rc)
        rc = gnutls_x509_crt_init(&crt);
    if (!rc)
        rc = gnutls_x509_crt_set_version(crt, 3);
    if (!rc)
        rc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial);
    if (!rc)
        rc = gnutls_x509_crt_set_activation_time(crt, now - 300);
    if (!rc)
        rc = gnutls_x509_crt_set_expiration_time(crt, now + (time_t)days * 86400);
    if (!rc)
        rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, id,
                                           (unsigned)strlen(id));
    if (!rc)
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
                                                  GNUTLS_FSAN_APPEND);
    if (!rc)
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, loopback,
                                                  sizeof loopback, GNUTLS_FSAN_APPEND);
    if (!rc && host && host[0])
        rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, host,
                                                  (unsigned)strlen(host), GNUTLS_FSAN_APPEND);
    if (!rc)
        rc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
    if (!rc)
        rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
    if (!rc)
        rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
    if (!rc)
        rc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 0);
    if (!rc)
        rc = gnutls_x509_crt_set_key(crt, key);
    if (!rc)
        rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0);
    if (!rc)
        rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der);
    if (!rc) {
        tz_fed_cert_fingerprint(der.data, der.size, fpr_hex);
        rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, crt_pem);
    }
    if (!rc)
        rc = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, key_pem);
    gnutls_free(der.data);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
    return rc == GNUTLS_E_MEMORY_ERROR ? TZ_ENOMEM : rc ? TZ_EIO : TZ_OK;
}

tz_err tz_fed_keypair_write(const char *dir, const char *key_name, const char *pub_name,
                            char *pub_hex)
{
    if (sodium_init() < 0)
        return TZ_EINVAL;
    uint8_t pk[TZ_FED_SIGN_PK], sk[TZ_FED_SIGN_SK];
    char sk_hex[2 * TZ_FED_SIGN_SK + 2];
    crypto_sign_keypair(pk, sk);
    tz_fed_hex(pk, sizeof pk, pub_hex);
    tz_fed_hex(sk, sizeof sk, sk_hex);
    size_t sk_len = strlen(sk_hex);
    sk_hex[sk_len++] = '\n';
    tz_err err = write_new(dir, key_name, sk_hex, sk_len, 0600);
    if (!err) {
        char line[TZ_FS_HEX + 1];
        int n = snprintf(line, sizeof line, "%s\n", pub_hex);
        err = write_new(dir, pub_name, line, (size_t)n, 0644);
    }
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(sk_hex, sizeof sk_hex);
    return err;
}

tz_err tz_fed_identity_make(const char *dir, const char *id, const char *host, int days,
                            char *pub_hex, char *fpr_hex)
{
    static const char *const files[] = {"sign.key", "sign.pub", "tls.key", "tls.crt"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (exists(dir, files[i]))
            return TZ_ECONFLICT;
    if (days <= 0 || days > 3650 || !tz_fed_id_ok(id) || sodium_init() < 0)
        return TZ_EINVAL;
    gnutls_datum_t crt = {0}, key = {0};
    tz_err err = make_cert(id, host, days, &crt, &key, fpr_hex);
    if (!err)
        err = tz_fed_keypair_write(dir, "sign.key", "sign.pub", pub_hex);
    if (!err)
        err = write_new(dir, "tls.key", key.data, key.size, 0600);
    if (!err)
        err = write_new(dir, "tls.crt", crt.data, crt.size, 0644);
    if (key.data)
        sodium_memzero(key.data, key.size);
    gnutls_free(key.data);
    gnutls_free(crt.data);
    return err;
}

/* The first line of the file at path (at most cap - 1 bytes) into buf. */
static tz_err read_line(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return errno == ENOENT ? TZ_ENOTFOUND : TZ_EIO;
    tz_err err = fgets(buf, (int)cap, f) ? TZ_OK : TZ_EINVAL;
    fclose(f);
    return err;
}

tz_err tz_fed_key_load(const char *path, uint8_t sk[TZ_FED_SIGN_SK])
{
    char line[2 * TZ_FED_SIGN_SK + 8];
    tz_err err = read_line(path, line, sizeof line);
    if (!err)
        err = tz_fed_unhex(line, sk, TZ_FED_SIGN_SK);
    sodium_memzero(line, sizeof line);
    return err;
}

tz_err tz_fed_cert_fingerprint_file(const char *path, char *fpr_hex)
{
    gnutls_datum_t pem = {0}, der = {0};
    gnutls_x509_crt_t crt = NULL;
    int rc = gnutls_load_file(path, &pem);
    if (rc < 0)
        return TZ_ENOTFOUND;
    rc = gnutls_x509_crt_init(&crt);
    if (!rc)
        rc = gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM);
    if (!rc)
        rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der);
    if (!rc)
        tz_fed_cert_fingerprint(der.data, der.size, fpr_hex);
    gnutls_free(der.data);
    gnutls_free(pem.data);
    gnutls_x509_crt_deinit(crt);
    return rc ? TZ_EINVAL : TZ_OK;
}
