/* hash.h - keyed hashing for the connection table.
 *
 * Connection keys come from the network, so an attacker who knew the hash
 * function could send traffic that lands in one bucket and turn every lookup
 * into a scan.  The table therefore hashes with SipHash-1-3 under a key drawn
 * at random for each run. */
#ifndef TCPFSM_HASH_H
#define TCPFSM_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash_key {
    uint64_t k0, k1;
};

/* Fill *k from the kernel's random source (or, failing that, the clock). */
void hash_key_random(struct hash_key *k);

uint64_t siphash13(const struct hash_key *k, const void *data, size_t len);

#endif
