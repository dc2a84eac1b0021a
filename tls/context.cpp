#include "tls/context.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "common/unique_fd.hpp"
#include "tls/password_file.hpp"

namespace httpserve {

const char* const kDefaultTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

namespace {

constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// OpenSSL's reasons queued since the last call, oldest first, "; "-separated; then the queue is empty.
std::string openssl_reasons() {
    std::string text;
    while (const unsigned long e = ERR_get_error()) {
        const char* reason = ERR_reason_error_string(e);
        if (!text.empty()) text += "; ";
        text += reason ? reason : "error " + std::to_string(e);
    }
    return text.empty() ? "unknown OpenSSL error" : text;
}

// OpenSSL reports a missing or unreadable file as "system lib"; open it first to say why.
void check_readable(const std::string& where, const std::string& path) {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd) throw TlsError(where + ": cannot read " + path + ": " + std::strerror(errno));
}

int password_callback(char* buf, int size, int, void* userdata) {
    const auto* password = static_cast<const std::string*>(userdata);
    if (!password || password->empty()) return 0;  // never prompt on a terminal
    const int n = std::min(size, static_cast<int>(password->size()));
    std::memcpy(buf, password->data(), static_cast<size_t>(n));
    return n;
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                void*) {
    unsigned char* chosen = nullptr;
    if (SSL_select_next_proto(&chosen, outlen, kAlpnHttp11, sizeof kAlpnHttp11, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;  // no http/1.1 offered: answer without ALPN, the client decides
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

std::chrono::system_clock::time_point not_after(SSL_CTX* ctx) {
    const X509* cert = SSL_CTX_get0_certificate(ctx);
    std::tm tm{};
    if (!cert || ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return {};
    return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

}  // namespace

TlsContext::TlsContext(const ListenAddress& entry, const TlsConfig& tls, std::shared_ptr<const TicketKeys> keys,
                       const TlsSettingNames& names)
    : keys_(std::move(keys)), certificate_file_(entry.tls_cert) {
    ERR_clear_error();
    ctx_ = SSL_CTX_new(TLS_server_method());
    if (!ctx_) throw TlsError(names.cert + ": cannot create a TLS context: " + openssl_reasons());
    try {
        SSL_CTX_set_min_proto_version(ctx_, tls.min_version == TlsVersion::Tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
        SSL_CTX_set_options(ctx_, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                      SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_ENABLE_KTLS);
        // Partial writes and a buffer that may move between retries: the connection writes from its
        // output queue, which grows while a write waits. Idle keep-alive connections give back
        // their buffers.
        SSL_CTX_set_mode(
            ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
        // Read ahead: one recv takes a record's header and body (and what follows) instead of two
        // recvs per record.
        SSL_CTX_set_read_ahead(ctx_, 1);
        const std::string& ciphers = tls.ciphers.empty() ? std::string(kDefaultTls12Ciphers) : tls.ciphers;
        if (SSL_CTX_set_cipher_list(ctx_, ciphers.c_str()) != 1) {
            ERR_clear_error();
            throw TlsError(names.ciphers + ": no usable cipher in \"" + ciphers + "\"");
        }
        SSL_CTX_set_alpn_select_cb(ctx_, &select_alpn, nullptr);

        check_readable(names.cert, entry.tls_cert);
        if (SSL_CTX_use_certificate_chain_file(ctx_, entry.tls_cert.c_str()) != 1)
            throw TlsError(names.cert + ": cannot load the certificate " + entry.tls_cert + ": " + openssl_reasons());
        std::string password;
        if (!entry.tls_password_file.empty()) {
            try {
                password = read_password_file(entry.tls_password_file);
            } catch (const std::runtime_error& e) { throw TlsError(names.password_file + ": cannot read " + e.what()); }
        }
        const std::string& key_file = entry.tls_key.empty() ? entry.tls_cert : entry.tls_key;
        const std::string& key_where = entry.tls_key.empty() ? names.cert : names.key;
        check_readable(key_where, key_file);
        load_private_key(key_file, key_where, password, !entry.tls_password_file.empty(), entry.tls_cert);
        OPENSSL_cleanse(password.data(), password.size());
        expires_ = not_after(ctx_);

        if (keys_) {
            // Stateless tickets sealed with the keys every worker shares; no per-worker session cache,
            // which another worker could not see anyway.
            SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_OFF);
            SSL_CTX_set_app_data(ctx_, this);
            SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx_, &TlsContext::ticket_callback);
        } else {
            SSL_CTX_set_options(ctx_, SSL_OP_NO_TICKET);
            SSL_CTX_set_num_tickets(ctx_, 0);
        }
    } catch (...) {
        SSL_CTX_free(ctx_);
        throw;
    }
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

void TlsContext::load_private_key(const std::string& file, const std::string& where, std::string& password,
                                  bool has_password, const std::string& certificate) {
    BIO* bio = BIO_new_file(file.c_str(), "r");
    EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio, nullptr, &password_callback, &password) : nullptr;
    BIO_free(bio);
    if (!key)
        throw TlsError(where + ": cannot load the private key " + file + ": " + openssl_reasons() +
                       (has_password ? "" : " (an encrypted key needs a password file)"));
    // Checked here to say which files disagree (SSL_CTX_use_PrivateKey only says "key values mismatch").
    const bool matches = X509_check_private_key(SSL_CTX_get0_certificate(ctx_), key) == 1;
    const bool used = matches && SSL_CTX_use_PrivateKey(ctx_, key) == 1;
    EVP_PKEY_free(key);
    if (!matches) {
        ERR_clear_error();
        throw TlsError(where + ": the private key " + file + " does not match the certificate " + certificate);
    }
    if (!used) throw TlsError(where + ": cannot use the private key " + file + ": " + openssl_reasons());
}

int TlsContext::ticket_callback(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                                EVP_MAC_CTX* mac, int enc) {
    const auto* self = static_cast<const TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    if (!self || !self->keys_) return -1;
    return self->keys_->crypt(name, iv, cipher, mac, enc);
}

bool any_tls_listener(const Config& config) {
    for (const ListenAddress& entry : config.listen) {
        if (entry.tls()) return true;
    }
    return false;
}

std::vector<TlsContextRef> build_tls_contexts(const Config& config, const std::shared_ptr<const TicketKeys>& keys) {
    std::vector<TlsContextRef> contexts;
    for (size_t i = 0; i < config.listen.size(); ++i) {
        const ListenAddress& entry = config.listen[i];
        if (!entry.tls()) {
            contexts.push_back(nullptr);
            continue;
        }
        TlsSettingNames names{"--tls-cert", "--tls-key", "--tls-password-file", "tls.ciphers"};
        if (!config.command_line_mode) {
            const std::string prefix = config.source_file + ": listen[" + std::to_string(i) + "].";
            names = {prefix + "tls_cert", prefix + "tls_key", prefix + "tls_password_file",
                     config.source_file + ": tls.ciphers"};
        }
        contexts.push_back(
            std::make_shared<const TlsContext>(entry, config.tls, config.tls.session_tickets ? keys : nullptr, names));
    }
    return contexts;
}

std::vector<std::string> expiry_warnings(const std::vector<TlsContextRef>& contexts,
                                         std::chrono::system_clock::time_point now, std::chrono::hours within) {
    std::vector<std::string> warnings;
    for (const TlsContextRef& c : contexts) {
        if (!c || c->expires() == std::chrono::system_clock::time_point{}) continue;
        if (c->expires() - now > within) continue;
        const std::time_t t = std::chrono::system_clock::to_time_t(c->expires());
        std::tm tm{};
        ::gmtime_r(&t, &tm);
        char date[32];
        std::strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
        const auto days = std::chrono::duration_cast<std::chrono::hours>(c->expires() - now).count() / 24;
        warnings.push_back("the certificate " + c->certificate_file() +
                           (c->expires() <= now ? " has expired (" + std::string(date) + ")"
                                                : " expires on " + std::string(date) + " (in " + std::to_string(days) +
                                                      " day" + (days == 1 ? "" : "s") + ")"));
    }
    return warnings;
}

}  // namespace httpserve
