/* smalltab.h - a bounded table of fixed-size records keyed by bytes.
 *
 * For the per-service and per-client aggregates (listeners, service
 * statistics, SYN flood windows, TIME_WAIT counts): open addressing with
 * linear probing, a hash keyed at random for each run (hash.h's mlhash),
 * removal by backward shift (no tombstones), and a hard maximum.
 * Past the maximum, new keys are refused and counted, never silently lost.
 * The slots double as the table fills, so a small run uses little memory;
 * a record pointer is therefore valid only until the next insertion or
 * removal. */
#ifndef TCPFSM_SMALLTAB_H
#define TCPFSM_SMALLTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"

struct smalltab {
    uint8_t *slots;         /* cap records of rec_size bytes, key first */
    uint8_t *used;          /* untagged tables: slot i holds a record */
    uint32_t cap, count, max;
    uint32_t max_cap;       /* slots it grows to at most */
    size_t key_len, rec_size;
    bool tagged;            /* keys are 64-bit keyed hashes: their own hash */
    struct mlhash_key hk;   /* untagged tables: keys of at most MLHASH_MAX_LEN bytes */
    uint64_t refused;       /* new keys refused: table full */
};

/* rec_size includes the key_len key bytes at the start of each record;
 * key_len is at most MLHASH_MAX_LEN (false otherwise). */
bool smalltab_init(struct smalltab *t, size_t key_len, size_t rec_size, uint32_t max);
/* A table keyed by 64-bit tags that already are keyed hashes of what they
 * stand for (uniform, and secret from whoever crafts the traffic): a tag is
 * used as its own hash instead of being hashed again.  A tag is never 0 (0
 * marks an empty slot): smalltab_get() finds and creates nothing for it. */
bool smalltab_init_tagged(struct smalltab *t, size_t rec_size, uint32_t max);
void smalltab_destroy(struct smalltab *t);
/* The record for key; created zeroed (with its key) if absent and `create`.
 * NULL if absent and not created (or the table is full). */
void *smalltab_get(struct smalltab *t, const void *key, bool create);
/* Remove a record smalltab_get() returned (pointers to other records may
 * then point elsewhere). */
void smalltab_remove(struct smalltab *t, void *rec);
/* Whether a new key would be refused: max records held. */
bool smalltab_full(const struct smalltab *t);
/* Iterate: for (i = 0; i < t->cap; i++) if ((r = smalltab_slot(t, i))) ... */
void *smalltab_slot(const struct smalltab *t, uint32_t i);

#endif
