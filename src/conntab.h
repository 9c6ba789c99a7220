/* conntab.h - the connection table: records, a keyed hash, expiry lists.
 *
 * Records have a fixed size chosen by the user of the table, and begin with a
 * struct ct_node.  They live in one array reserved at creation for the
 * maximum number of records and committed by the kernel page by page as it
 * is first touched, so memory follows the number of records ever live at
 * once, a record never moves, and its index follows from its address.
 * Nothing is allocated per packet, and never beyond the configured maximum:
 * the owner evicts before inserting into a full table.
 *
 * The hash index has a bucket per possible record (the maximum is known at
 * creation), so it never rehashes and no packet pays for growing it; like
 * the records, the parts of it never written cost no memory.  Records do not
 * keep their hash (4 bytes on every connection): a lookup compares the
 * tuple as four words and a half, and the family; a deletion rebuilds the
 * key and hashes it again.
 *
 * Each record is also on one of a few doubly linked lists, in the order the
 * owner last moved records to their tails; the owner keeps that order by
 * time and uses the lists for expiry and eviction: the head of a list is its
 * oldest record. */
#ifndef TCPFSM_CONNTAB_H
#define TCPFSM_CONNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hash.h"
#include "segment.h"

/* A direction-independent 4-tuple: side 0 is the lower (address, port).
 * This is how callers name a connection; a record keeps it as a ct_tuple
 * plus its family byte (see struct ct_node). */
struct ct_key {
    uint8_t addr[2][16];
    uint16_t port[2];
    uint8_t family;
    uint8_t zero[3];        /* padding: neither hashed nor compared */
};

/* The addresses and ports of a key: its first 36 bytes, laid out alike. */
struct ct_tuple {
    uint8_t addr[2][16];
    uint16_t port[2];
};

/* One address and port at both ends: a socket connected to itself. */
static inline bool ct_ends_equal(const uint8_t addr[2][16], const uint16_t port[2], uint8_t family)
{
    return port[0] == port[1] && memcmp(addr[0], addr[1], family == 4 ? 4 : 16) == 0;
}
static inline bool ct_key_is_self(const struct ct_key *k)
{
    return ct_ends_equal((const uint8_t(*)[16])k->addr, k->port, k->family);
}

#define CT_NLISTS 4
#define CT_LIST_NONE 0xff

/* The start of every record.  The key's family sits in the node's last
 * byte rather than after the tuple: the key's three bytes of padding and
 * the byte it would take beside `list` come to four bytes on every record,
 * which is what lets a connection record keep to 168 bytes. */
struct ct_node {
    struct ct_tuple key;
    uint32_t hnext;         /* next record in the hash chain (0: none) */
    uint32_t prev, next;    /* neighbours on the record's list (0: none) */
    uint16_t user16;        /* free for the owner, to avoid padding */
    uint8_t list;           /* which list, or CT_LIST_NONE */
    uint8_t family;         /* the key's family: 4 or 6 */
};

struct conntab;

/* A table of records of rec_size bytes (>= sizeof(struct ct_node)), holding at
 * most max_records.  Returns NULL if the address space cannot be reserved. */
struct conntab *ct_create(size_t rec_size, uint32_t max_records);
void ct_destroy(struct conntab *t);

/* Canonical key for a segment; *dir is 0 if the segment's source is side 0. */
void ct_key_from_segment(const struct segment *seg, struct ct_key *key, int *dir);
/* The key of a record. */
void ct_node_key(const struct ct_node *n, struct ct_key *key);
uint64_t ct_hash(const struct conntab *t, const struct ct_key *key);
/* Start fetching what a lookup of this hash will touch, in two stages some
 * packets apart: 0 the bucket, 1 the whole first record of its chain
 * (reading the bucket, which stage 0 brought in).  Hints only: a lookup a
 * few packets later then finds them in the cache. */
void ct_prefetch(const struct conntab *t, uint64_t hash, int stage);

void *ct_find(struct conntab *t, const struct ct_key *key, uint64_t hash);
/* A new zeroed record with this key, or NULL if the table is full.  It is on
 * no list yet. */
void *ct_insert(struct conntab *t, const struct ct_key *key, uint64_t hash);
void ct_delete(struct conntab *t, void *rec);

uint32_t ct_count(const struct conntab *t);
uint32_t ct_max(const struct conntab *t);
bool ct_full(const struct conntab *t);
/* Bytes held by records and index (for reports and tests). */
size_t ct_memory(const struct conntab *t);

/* Move rec to the tail of list, removing it from any list it is on. */
void ct_list_put(struct conntab *t, void *rec, unsigned list);
/* Which list rec is on, CT_LIST_NONE if none. */
static inline unsigned ct_list_of(const void *rec) { return ((const struct ct_node *)rec)->list; }
/* Take rec off its list. */
void ct_list_remove(struct conntab *t, void *rec);
/* Oldest record on the list, or NULL. */
void *ct_list_head(struct conntab *t, unsigned list);
/* The record after rec on its list (the next newer one), or NULL. */
void *ct_list_next(struct conntab *t, const void *rec);
uint32_t ct_list_count(const struct conntab *t, unsigned list);

/* End of use: visit every live record in increasing order of a rank the
 * caller gives (unique per record, such as a creation number, at most
 * max_rank), in memory independent of their number: the records' hash links
 * serve as scratch, so from here on the table can no longer be searched;
 * `visit` may delete the record it is given. */
void ct_drain_ordered(struct conntab *t, uint32_t (*rank)(const void *rec), uint32_t max_rank,
                      void (*visit)(void *ctx, void *rec), void *ctx);

/* A live record's index (1 ..), stable for its life. */
uint32_t ct_index(const struct conntab *t, const void *rec);
/* Commit the memory of the records the table will hand out next, from
 * another thread (one only), so that the thread inserting does not stop to
 * have each new huge page zeroed when it first writes there.  Commits the
 * huge page the records in use end in, and the next one once they are
 * past its middle: at most about 3 MiB ahead of use.  done: what an
 * earlier call returned (0 the first time); returns the same for the next
 * call, SIZE_MAX once it cannot (the kernel has no MADV_POPULATE_WRITE).
 * Safe while the other thread inserts: it changes no byte. */
#define CT_PUBLISH_EVERY 1024   /* how often ct_insert() publishes its high mark (a power of two) */
size_t ct_prefault(const struct conntab *t, size_t done);

/* Iterate over live records: idx from 1 up to ct_index_limit(). */
uint32_t ct_index_limit(const struct conntab *t);
void *ct_at(struct conntab *t, uint32_t idx);   /* NULL if idx is free */

#endif
