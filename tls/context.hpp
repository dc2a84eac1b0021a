// One TLS listener's OpenSSL context: built by the master, which reads the certificate, the key and
// its password while it still may (as root, before forking), and inherited by the workers forked from
// it, which never need the files. Contexts belong to a generation: a reload builds new ones, and
// connections in progress keep the context they started with.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "tls/ticket_keys.hpp"

namespace httpserve {

// A certificate, key or setting OpenSSL refused; the message names the file (or key) and why.
struct TlsError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// How errors name the settings: "httpserve.toml: listen[0].tls_cert" or "--tls-cert".
struct TlsSettingNames {
    std::string cert, key, password_file, ciphers;
};

class TlsContext {
public:
    // `keys` null: session tickets are off. Throws TlsError.
    TlsContext(const ListenAddress& entry, const TlsConfig& tls, std::shared_ptr<const TicketKeys> keys,
               const TlsSettingNames& names);
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;
    ~TlsContext();

    SSL_CTX* get() const { return ctx_; }
    const std::string& certificate_file() const { return certificate_file_; }
    // The leaf certificate's notAfter.
    std::chrono::system_clock::time_point expires() const { return expires_; }

private:
    // The key (PEM, decrypted with `password` when it is encrypted), checked against the certificate.
    void load_private_key(const std::string& file, const std::string& where, std::string& password, bool has_password,
                          const std::string& certificate);
    static int ticket_callback(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                               EVP_MAC_CTX* mac, int enc);

    SSL_CTX* ctx_ = nullptr;
    std::shared_ptr<const TicketKeys> keys_;
    std::string certificate_file_;
    std::chrono::system_clock::time_point expires_{};
};

using TlsContextRef = std::shared_ptr<const TlsContext>;

// One per entry of config.listen: a context for each TLS entry, null for the others. Throws TlsError.
std::vector<TlsContextRef> build_tls_contexts(const Config& config, const std::shared_ptr<const TicketKeys>& keys);

bool any_tls_listener(const Config& config);

// Warnings for certificates that expire within `within` of `now` (or have expired).
std::vector<std::string> expiry_warnings(const std::vector<TlsContextRef>& contexts,
                                         std::chrono::system_clock::time_point now,
                                         std::chrono::hours within = std::chrono::hours(24 * 30));

// The TLS 1.2 cipher list used when tls.ciphers is "": forward secrecy and AEAD only.
extern const char* const kDefaultTls12Ciphers;

}  // namespace httpserve
