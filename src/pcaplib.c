/* pcaplib.c - libpcap, loaded when first needed (see pcaplib.h). */
#include "config.h"

#include "pcaplib.h"

#ifndef TCPFSM_LAZY_PCAP

/* libpcap is linked: it is always there. */
bool pcaplib_load(char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    return true;
}

bool pcaplib_loaded(void) { return true; }

#else

#include <dlfcn.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* Every libpcap function tcpfsm calls other than the five that start a use
 * (defined by hand below): return type (V: none), name, parameters, the
 * arguments passed on.  Each gets a pointer, filled from the library when
 * it is loaded, and a definition that calls through it. */
#define PCAP_CALLS(X, V)                                                                          \
    X(int, pcap_activate, (pcap_t * p), (p))                                                      \
    V(pcap_close, (pcap_t * p), (p))                                                              \
    X(int, pcap_compile, (pcap_t * p, struct bpf_program *fp, const char *s, int opt,             \
                          bpf_u_int32 mask), (p, fp, s, opt, mask))                               \
    X(int, pcap_datalink, (pcap_t * p), (p))                                                      \
    X(int, pcap_dispatch, (pcap_t * p, int n, pcap_handler cb, u_char *user), (p, n, cb, user))   \
    V(pcap_free_datalinks, (int *dlts), (dlts))                                                   \
    V(pcap_freealldevs, (pcap_if_t * all), (all))                                                 \
    V(pcap_freecode, (struct bpf_program * fp), (fp))                                             \
    X(int, pcap_get_selectable_fd, (pcap_t * p), (p))                                             \
    X(int, pcap_get_tstamp_precision, (pcap_t * p), (p))                                          \
    X(char *, pcap_geterr, (pcap_t * p), (p))                                                     \
    X(int, pcap_list_datalinks, (pcap_t * p, int **dlts), (p, dlts))                              \
    X(int, pcap_offline_filter, (const struct bpf_program *fp, const struct pcap_pkthdr *h,       \
                                 const u_char *pkt), (fp, h, pkt))                                \
    X(int, pcap_set_buffer_size, (pcap_t * p, int n), (p, n))                                     \
    X(int, pcap_set_datalink, (pcap_t * p, int dlt), (p, dlt))                                    \
    X(int, pcap_set_immediate_mode, (pcap_t * p, int on), (p, on))                                \
    X(int, pcap_set_promisc, (pcap_t * p, int on), (p, on))                                       \
    X(int, pcap_set_snaplen, (pcap_t * p, int n), (p, n))                                         \
    X(int, pcap_set_timeout, (pcap_t * p, int ms), (p, ms))                                       \
    X(int, pcap_set_tstamp_precision, (pcap_t * p, int prec), (p, prec))                          \
    X(int, pcap_setfilter, (pcap_t * p, struct bpf_program *fp), (p, fp))                         \
    X(int, pcap_setnonblock, (pcap_t * p, int on, char *errbuf), (p, on, errbuf))                 \
    X(int, pcap_stats, (pcap_t * p, struct pcap_stat *ps), (p, ps))

/* The five that start a use, and so load the library. */
#define PCAP_ENTRIES(X)                                                                           \
    X(pcap_t *, pcap_create, (const char *source, char *errbuf))                                  \
    X(pcap_t *, pcap_open_dead, (int linktype, int snaplen))                                      \
    X(int, pcap_findalldevs, (pcap_if_t * *all, char *errbuf))                                    \
    X(const char *, pcap_datalink_val_to_name, (int dlt))                                         \
    X(const char *, pcap_datalink_val_to_description, (int dlt))

#define POINTER(ret, name, params, ...) static ret(*p_##name) params;
#define POINTER_V(name, params, args) static void(*p_##name) params;
PCAP_CALLS(POINTER, POINTER_V)
PCAP_ENTRIES(POINTER)

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static atomic_bool loaded;   /* set once, in load() */
static char load_error[256];

/* dlsym() returns an object pointer; POSIX guarantees a function's address
 * survives the trip, and memcpy() makes it without a cast C forbids. */
static bool take(void *lib, const char *name, void *fnptr, size_t size)
{
    void *sym = dlsym(lib, name);
    if (!sym) {
        snprintf(load_error, sizeof load_error, "%s has no %s", TCPFSM_PCAP_SONAME, name);
        return false;
    }
    memcpy(fnptr, &sym, size);
    return true;
}

static void load(void)
{
    /* By its shared object name, as the dynamic linker would look for it
     * had tcpfsm been linked with it (so the same directories, and none of
     * LD_LIBRARY_PATH's for a program run with privileges). */
    void *lib = dlopen(TCPFSM_PCAP_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load libpcap: %s", why ? why : TCPFSM_PCAP_SONAME);
        return;
    }
#define TAKE(ret, name, ...) ok = ok && take(lib, #name, &p_##name, sizeof p_##name);
#define TAKE_V(name, ...) TAKE(void, name)
    bool ok = true;
    PCAP_CALLS(TAKE, TAKE_V)
    PCAP_ENTRIES(TAKE)
    if (!ok) {
        dlclose(lib);
        return;
    }
    atomic_store(&loaded, true);
}

bool pcaplib_load(char *err, size_t errlen)
{
    pthread_once(&load_once, load);
    if (!atomic_load(&loaded) && err && errlen)
        snprintf(err, errlen, "%s", load_error);
    return atomic_load(&loaded);
}

bool pcaplib_loaded(void) { return atomic_load(&loaded); }

#define FORWARD(ret, name, params, args)                                                          \
    ret name params { return p_##name args; }
#define FORWARD_V(name, params, args)                                                             \
    void name params { p_##name args; }
PCAP_CALLS(FORWARD, FORWARD_V)

pcap_t *pcap_create(const char *source, char *errbuf)
{
    if (!pcaplib_load(errbuf, PCAP_ERRBUF_SIZE))
        return NULL;
    return p_pcap_create(source, errbuf);
}

pcap_t *pcap_open_dead(int linktype, int snaplen)
{
    return pcaplib_load(NULL, 0) ? p_pcap_open_dead(linktype, snaplen) : NULL;
}

int pcap_findalldevs(pcap_if_t **all, char *errbuf)
{
    if (!pcaplib_load(errbuf, PCAP_ERRBUF_SIZE))
        return PCAP_ERROR;
    return p_pcap_findalldevs(all, errbuf);
}

const char *pcap_datalink_val_to_name(int dlt)
{
    return pcaplib_load(NULL, 0) ? p_pcap_datalink_val_to_name(dlt) : NULL;
}

const char *pcap_datalink_val_to_description(int dlt)
{
    return pcaplib_load(NULL, 0) ? p_pcap_datalink_val_to_description(dlt) : NULL;
}

#endif
