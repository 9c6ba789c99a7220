/* test_feed.c - how many threads a run of -r uses (src/feed.h).
 *
 * --threads wins whatever the file; without it, a regular file smaller than
 * FEED_SMALL_FILE is read in one thread, and anything else - a larger file,
 * or a pipe, whose size is not known (UINT64_MAX) - gets the default for
 * the machine's processors. */
#include <stdint.h>

#include "feed.h"
#include "unit.h"

int main(void)
{
    /* told */
    CHECK(feed_pick_threads(1, UINT64_MAX, 2) == 1);
    CHECK(feed_pick_threads(2, 0, 2) == 2);
    CHECK(feed_pick_threads(2, 100, 1) == 2);
    /* small files: one thread, up to the boundary */
    CHECK(feed_pick_threads(0, 0, 2) == 1);
    CHECK(feed_pick_threads(0, FEED_SMALL_FILE - 1, 2) == 1);
    /* from the boundary up, and pipes: the machine's default */
    CHECK(feed_pick_threads(0, FEED_SMALL_FILE, 2) == 2);
    CHECK(feed_pick_threads(0, (uint64_t)40 << 30, 2) == 2);
    CHECK(feed_pick_threads(0, UINT64_MAX, 2) == 2);
    CHECK(feed_pick_threads(0, UINT64_MAX, 1) == 1);
    CHECK(feed_pick_threads(0, FEED_SMALL_FILE, 1) == 1);
    return unit_done("test_feed");
}
