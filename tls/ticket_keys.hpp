// Session-ticket keys: made by the master, inherited by every worker it forks, so that a ticket one
// worker issued resumes on any other. A reload makes a new current key and keeps the previous one
// for decryption only, so that tickets issued before the reload still resume.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <memory>
#include <vector>

namespace httpserve {

struct TicketKey {
    std::array<unsigned char, 16> name{};  // sent in the ticket: which key sealed it
    std::array<unsigned char, 32> aes{};   // AES-256-CBC
    std::array<unsigned char, 32> hmac{};  // HMAC-SHA256
};

class TicketKeys {
public:
    // One fresh random key. Throws std::runtime_error when the random generator fails.
    static std::shared_ptr<const TicketKeys> fresh();
    // A new current key, with this set's current key kept as the previous one (older ones go).
    std::shared_ptr<const TicketKeys> rotated() const;

    TicketKeys() = default;
    TicketKeys(const TicketKeys&) = delete;
    TicketKeys& operator=(const TicketKeys&) = delete;
    ~TicketKeys();

    const TicketKey& current() const { return keys_.front(); }
    // The key a ticket names; null when it is unknown (too old, or made by another server).
    const TicketKey* find(const unsigned char* name) const;
    size_t size() const { return keys_.size(); }

    // OpenSSL's ticket-key callback, for these keys: `enc` 1 seals a new ticket with the current key,
    // 0 opens one. Returns what SSL_CTX_set_tlsext_ticket_key_evp_cb expects: -1 error, 0 unknown key
    // (full handshake), 1 done, 2 done but renew the ticket (it was sealed with the previous key).
    int crypt(unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int enc) const;

private:
    static TicketKey random_key();
    std::vector<TicketKey> keys_;  // current first
};

}  // namespace httpserve
