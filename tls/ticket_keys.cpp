#include "tls/ticket_keys.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace httpserve {

TicketKey TicketKeys::random_key() {
    TicketKey key;
    if (RAND_bytes(key.name.data(), static_cast<int>(key.name.size())) != 1 ||
        RAND_bytes(key.aes.data(), static_cast<int>(key.aes.size())) != 1 ||
        RAND_bytes(key.hmac.data(), static_cast<int>(key.hmac.size())) != 1) {
        throw std::runtime_error("cannot make a session-ticket key: the random generator failed");
    }
    return key;
}

std::shared_ptr<const TicketKeys> TicketKeys::fresh() {
    auto keys = std::make_shared<TicketKeys>();
    keys->keys_.push_back(random_key());
    return keys;
}

std::shared_ptr<const TicketKeys> TicketKeys::rotated() const {
    auto keys = std::make_shared<TicketKeys>();
    keys->keys_.push_back(random_key());
    if (!keys_.empty()) keys->keys_.push_back(keys_.front());
    return keys;
}

TicketKeys::~TicketKeys() {
    for (TicketKey& key : keys_) OPENSSL_cleanse(&key, sizeof key);
}

const TicketKey* TicketKeys::find(const unsigned char* name) const {
    const auto it = std::find_if(keys_.begin(), keys_.end(), [name](const TicketKey& k) {
        return std::memcmp(k.name.data(), name, k.name.size()) == 0;
    });
    return it == keys_.end() ? nullptr : &*it;
}

int TicketKeys::crypt(unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int enc) const {
    const TicketKey* key = nullptr;
    if (enc) {
        key = &current();
        std::memcpy(name, key->name.data(), key->name.size());
        if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1) return -1;
    } else {
        key = find(name);
        if (!key) return 0;
    }
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(key->hmac.data()),
                                          key->hmac.size()),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
    const int ok = enc ? EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key->aes.data(), iv)
                       : EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key->aes.data(), iv);
    if (ok != 1) return -1;
    return (!enc && key != &current()) ? 2 : 1;
}

}  // namespace httpserve
