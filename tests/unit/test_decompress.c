/* test_decompress.c - telling compressed captures by their magic numbers
 * (src/decompress.h).  Running the decompressors is tests/cli/compressed.sh's. */
#include "decompress.h"

#include <stdlib.h>

#include "unit.h"

static enum compression of(const char *bytes, size_t n)
{
    return compression_of((const uint8_t *)bytes, n);
}

int main(void)
{
    /* each format's own start, as its program writes it */
    CHECK(of("\x1f\x8b\x08\x00\x00\x00", 6) == COMPRESSION_GZIP);
    CHECK(of("\x1f\x9d\x90", 3) == COMPRESSION_GZIP);      /* compress(1), which gzip reads */
    CHECK(of("BZh91AY", 7) == COMPRESSION_BZIP2);
    CHECK(of("\xfd" "7zXZ\0\0\x04", 8) == COMPRESSION_XZ);
    CHECK(of("\x28\xb5\x2f\xfd\x24\x00", 6) == COMPRESSION_ZSTD);
    CHECK(of("\x04\x22\x4d\x18\x64\x40", 6) == COMPRESSION_LZ4);

    /* captures are not compressed: pcap either way round, nanosecond pcap, pcapng */
    CHECK(of("\xd4\xc3\xb2\xa1\x02\x00", 6) == COMPRESSION_NONE);
    CHECK(of("\xa1\xb2\xc3\xd4\x00\x02", 6) == COMPRESSION_NONE);
    CHECK(of("\x4d\x3c\xb2\xa1\x02\x00", 6) == COMPRESSION_NONE);
    CHECK(of("\x0a\x0d\x0d\x0a\x1c\x00", 6) == COMPRESSION_NONE);

    /* too short to tell, or close but not the magic */
    CHECK(of("", 0) == COMPRESSION_NONE);
    CHECK(of("\x1f", 1) == COMPRESSION_NONE);
    CHECK(of("BZh", 3) == COMPRESSION_NONE);        /* the block size digit is missing */
    CHECK(of("BZh0", 4) == COMPRESSION_NONE);       /* ... or not 1 to 9 */
    CHECK(of("BZhx", 4) == COMPRESSION_NONE);
    CHECK(of("\xfd" "7zXZ", 5) == COMPRESSION_NONE);
    CHECK(of("\xfd" "7zXZ\x01", 6) == COMPRESSION_NONE);
    CHECK(of("\x28\xb5\x2f", 3) == COMPRESSION_NONE);
    CHECK(of("\x04\x22\x4d\x19", 4) == COMPRESSION_NONE);
    CHECK(of("\x1f\x8c", 2) == COMPRESSION_NONE);

    CHECK(strcmp(compression_name(COMPRESSION_GZIP), "gzip") == 0);
    CHECK(strcmp(compression_name(COMPRESSION_BZIP2), "bzip2") == 0);
    CHECK(strcmp(compression_name(COMPRESSION_XZ), "xz") == 0);
    CHECK(strcmp(compression_name(COMPRESSION_ZSTD), "zstd") == 0);
    CHECK(strcmp(compression_name(COMPRESSION_LZ4), "lz4") == 0);

    /* a program that cannot be run: a sentence, no process, no descriptors left */
    struct decompressor d;
    char err[256];
    char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", "/nonexistent-tcpfsm-test", 1);
    CHECK(!decompressor_start(&d, COMPRESSION_ZSTD, 0, err, sizeof err));
    CHECK(strstr(err, "needs the zstd program") != NULL);
    CHECK(d.pid == 0 && d.out == -1 && d.err == -1);
    if (path) {
        setenv("PATH", path, 1);
        free(path);
    }
    return unit_done("decompress");
}
